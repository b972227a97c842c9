namespace CertCredentials.Tests.Infrastructure;

/// <summary>Like a UI thread's context whose loop is blocked: what is posted to it never runs.</summary>
internal sealed class UnpumpedSynchronizationContext : SynchronizationContext
{
    private int _posted;

    public int Posted => Volatile.Read(ref _posted);

    public override void Post(SendOrPostCallback d, object? state) => Interlocked.Increment(ref _posted);

    public override void Send(SendOrPostCallback d, object? state) => Interlocked.Increment(ref _posted);
}
