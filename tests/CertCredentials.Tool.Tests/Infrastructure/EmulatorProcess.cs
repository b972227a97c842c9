using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace CertCredentials.Tool.Tests.Infrastructure;

/// <summary>
/// <c>certcred emulate</c> as a real process on 127.0.0.1 port 0, started by a test and always stopped by it: by a
/// signal in the test, or killed on dispose when the test failed before.
/// </summary>
public sealed class EmulatorProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(90);
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private EmulatorProcess(Process process, string settingsPath)
    {
        _process = process;
        SettingsPath = settingsPath;
    }

    /// <summary>The appsettings.json the emulator wrote for <c>check</c>.</summary>
    public string SettingsPath { get; }

    public int ProcessId => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public string Error
    {
        get
        {
            lock (_error)
            {
                return _error.ToString();
            }
        }
    }

    public JsonElement Settings => JsonDocument.Parse(File.ReadAllText(SettingsPath)).RootElement.GetProperty("CertCredentials");

    public Uri TokenEndpoint => new(Settings.GetProperty(nameof(TokenEndpoint)).GetString()!);

    /// <summary>Starts the emulator for a certificate and waits until it says it is ready.</summary>
    public static async Task<EmulatorProcess> StartAsync(string workingDirectory, string certificatePath, params string[] extraArgs)
    {
        var settingsPath = Path.Combine(workingDirectory, $"emulator-{Guid.NewGuid():N}.json");
        string[] args = ["emulate", "--port", "0", "--certificate", certificatePath, "--write-appsettings", settingsPath, .. extraArgs];
        // Its tests stop it with SIGINT as a terminal's Ctrl+C would: make that signal reach it however the tests were started.
        var process = Process.Start(Signals.WithInterruptDeliverable(ToolProcess.StartInfo(args, workingDirectory, null)))!;
        var emulator = new EmulatorProcess(process, settingsPath);
        process.StandardInput.Close();
        process.OutputDataReceived += (_, e) => emulator.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (emulator._error)
            {
                emulator._error.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var exited = process.WaitForExitAsync();
            var first = await Task.WhenAny(emulator._ready.Task, exited).WaitAsync(StartLimit);
            if (first == exited)
            {
                throw new InvalidOperationException($"certcred emulate exited with {process.ExitCode} before it was ready.\n{emulator.Output}\n{emulator.Error}");
            }

            return emulator;
        }
        catch
        {
            await emulator.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends a signal and waits for the process to exit; returns its exit code.</summary>
    public async Task<int> StopWithAsync(string signal)
    {
        Signals.Send(_process.Id, signal);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone.
        }

        _process.Dispose();
        File.Delete(SettingsPath);
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (line == CertCredentials.Tool.Commands.EmulateCommand.ReadyLine)
        {
            _ready.TrySetResult();
        }
    }
}
