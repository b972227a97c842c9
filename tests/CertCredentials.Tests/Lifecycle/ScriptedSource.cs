namespace CertCredentials.Tests.Lifecycle;

/// <summary>A certificate source whose answer the test sets (<see cref="Answer"/>), counting how often it is asked.</summary>
internal sealed class ScriptedSource : CertificateSource
{
    private int _loads;

    public ScriptedSource(Func<ClientCertificate> answer)
    {
        Answer = answer;
    }

    /// <summary>What the next load returns (or throws).</summary>
    public Func<ClientCertificate> Answer { get; set; }

    /// <summary>While true, loads never finish and ignore cancellation.</summary>
    public bool Hang { get; set; }

    public int Loads => Volatile.Read(ref _loads);

    public override async ValueTask<ClientCertificate> LoadAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _loads);
        await Task.Yield();
        if (Hang)
        {
            await Task.Delay(Timeout.Infinite, CancellationToken.None);
        }

        return Answer();
    }
}
