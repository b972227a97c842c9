using System.Diagnostics;

namespace CertCredentials.Tool.Tests.Infrastructure;

/// <summary>Sends a POSIX signal to a process, as a terminal's Ctrl+C (SIGINT) or a service manager's stop (SIGTERM) does.</summary>
public static class Signals
{
    public const string Interrupt = "INT";
    public const string Terminate = "TERM";

    /// <summary>
    /// Whether this process ignores SIGINT. A non-interactive shell starts background jobs that way (<c>dotnet test &amp;</c>,
    /// a CI step under nohup), every child inherits it, and .NET keeps an inherited SIG_IGN: a child then never sees a
    /// <c>kill -s INT</c>, which is how a background job stays out of a terminal's Ctrl+C. Read from
    /// <c>/proc/self/status</c> (SigIgn is a hexadecimal mask, bit n-1 for signal n; SIGINT is 2).
    /// </summary>
    private static bool InterruptIgnored { get; } = ReadInterruptIgnored();

    /// <summary>
    /// Starts <paramref name="info"/> with SIGINT at its default disposition, as a terminal's foreground job has it, when
    /// this process inherited it ignored: through coreutils <c>env --default-signal=INT</c>, which resets it and
    /// then execs the program (same process ID). Otherwise <paramref name="info"/> is left as it is.
    /// </summary>
    public static ProcessStartInfo WithInterruptDeliverable(ProcessStartInfo info)
    {
        if (InterruptIgnored)
        {
            info.ArgumentList.Insert(0, info.FileName);
            info.ArgumentList.Insert(0, "--default-signal=INT");
            info.FileName = "env";
        }

        return info;
    }

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

    private static bool ReadInterruptIgnored()
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status))
        {
            return false;
        }

        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null
            && ulong.TryParse(line["SigIgn:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out var mask)
            && (mask & (1UL << 1)) != 0;
    }
}
