using System.Diagnostics;

namespace CertCredentials.Tool.Tests.Infrastructure;

/// <summary>Sends a POSIX signal to a process, as a terminal's Ctrl+C (SIGINT) or a service manager's stop (SIGTERM) does.</summary>
public static class Signals
{
    public const string Interrupt = "INT";
    public const string Terminate = "TERM";

    public static void Send(int processId, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-s", signal, processId.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            UseShellExecute = false,
        })!;
        kill.WaitForExit(TimeSpan.FromSeconds(10));
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -s {signal} {processId} failed with {kill.ExitCode}.");
        }
    }
}
