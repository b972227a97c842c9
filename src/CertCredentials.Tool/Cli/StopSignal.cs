using System.Runtime.InteropServices;

namespace CertCredentials.Tool.Cli;

/// <summary>Completes on SIGINT (Ctrl+C), SIGTERM or the caller's cancellation; the signals then do not end the process.</summary>
internal sealed class StopSignal : IDisposable
{
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;
    private readonly CancellationTokenRegistration _cancellation;

    public StopSignal(CancellationToken cancellationToken)
    {
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        _cancellation = cancellationToken.Register(() => _stopped.TrySetResult());
    }

    public Task Stopped => _stopped.Task;

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _cancellation.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        _stopped.TrySetResult();
    }
}
