using System.Diagnostics;
using CertCredentials.Testing.Tests.Infrastructure;

namespace CertCredentials.Testing.Tests;

/// <summary>The runnable service as a process: --help exits 0, SIGTERM stops it cleanly. Bounded; killed at the end.</summary>
public sealed class CommandLineProcessTests
{
    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "CertCredentials.LocalTokenService.dll");

    private static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }

    private static void KillIfRunning(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task Help_prints_the_usage_and_exits_0()
    {
        using var process = Start("--help");
        try
        {
            var output = process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            process.ExitCode.Should().Be(0);
            (await output).Should().Contain("Usage:");
        }
        finally
        {
            KillIfRunning(process);
        }
    }

    [Fact]
    public async Task Sigterm_stops_it_cleanly()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // no SIGTERM to send
        }

        using var certificate = TestCertificates.Create();
        var pem = Path.GetTempFileName();
        File.WriteAllText(pem, certificate.ExportCertificatePem());
        using var process = Start("--tenant", "contoso.onmicrosoft.com", "--client-id", "app", "--certificate", pem, "--port", "0");
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            line.Should().StartWith("Token endpoint:");
            while (await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)) is { } next && !next.StartsWith("Press Ctrl+C", StringComparison.Ordinal))
            {
            }

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }

            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
            process.ExitCode.Should().Be(0);
            (await process.StandardOutput.ReadToEndAsync()).Should().Contain("Stopped.");
        }
        finally
        {
            KillIfRunning(process);
            File.Delete(pem);
        }
    }
}
