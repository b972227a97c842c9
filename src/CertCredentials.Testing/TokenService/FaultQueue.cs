namespace CertCredentials.Testing.TokenService;

/// <summary>Queued <see cref="TokenFault"/>s, each taken <see cref="TokenFault.Times"/> times in order. Thread-safe.</summary>
internal sealed class FaultQueue
{
    private readonly Lock _lock = new();
    private readonly Queue<Entry> _entries = new();

    public void Enqueue(TokenFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        ArgumentOutOfRangeException.ThrowIfLessThan(fault.Times, 1, nameof(fault));
        lock (_lock)
        {
            _entries.Enqueue(new Entry(fault, fault.Times));
        }
    }

    public TokenFault? TryTake()
    {
        lock (_lock)
        {
            if (!_entries.TryPeek(out var entry))
            {
                return null;
            }

            if (--entry.Remaining == 0)
            {
                _entries.Dequeue();
            }

            return entry.Fault;
        }
    }

    private sealed class Entry(TokenFault fault, int remaining)
    {
        public TokenFault Fault { get; } = fault;

        public int Remaining { get; set; } = remaining;
    }
}
