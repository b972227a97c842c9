using System.Diagnostics;
using System.Reflection;

namespace CertCredentials.Tool.Tests.Infrastructure;

/// <summary>The built tool run as a real process: <c>dotnet CertCredentials.Tool.dll args</c>, as the installed command runs it.</summary>
public sealed class ToolProcess : ToolRunner
{
    public static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    public static string ToolAssembly { get; } =
        typeof(ToolProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ToolAssembly").Value!;

    /// <summary>The dotnet host running these tests (the test host sets DOTNET_HOST_PATH), else the one on PATH.</summary>
    public static string DotnetHost { get; } = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    public static ProcessStartInfo StartInfo(IReadOnlyList<string> args, string workingDirectory, IReadOnlyDictionary<string, string>? environment)
    {
        var info = new ProcessStartInfo(DotnetHost)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(ToolAssembly);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // The test process's own CertCredentials__* variables must not reach the tool: only those given.
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("CertCredentials", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return info;
    }

    public override async Task<ToolResult> RunAsync(IReadOnlyList<string> args, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (!File.Exists(ToolAssembly))
        {
            throw new InvalidOperationException($"The built tool is not at {ToolAssembly}: build src/CertCredentials.Tool in the same configuration.");
        }

        return await RunToEndAsync(StartInfo(args, workingDirectory, environment), $"certcred {string.Join(' ', args)}");
    }

    /// <summary>Runs a process with no input to its end, bounded by <see cref="Limit"/> (killed, with its output, past it).</summary>
    public static async Task<ToolResult> RunToEndAsync(ProcessStartInfo info, string description)
    {
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"{description} did not finish within {Limit}.\n{await output}\n{await error}");
        }

        return new ToolResult(process.ExitCode, await output, await error);
    }
}
