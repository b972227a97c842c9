using System.Collections.Concurrent;

namespace CertCredentials.Tests.Infrastructure;

/// <summary>
/// A shared token store in this process's memory (the Redis one is tested against a real redis-server in its own
/// project): entries with their expiry, leases, no change notice (so the core polls). Counts calls; can be made to fail.
/// </summary>
/// <param name="timeProvider">The clock entries expire by: the test's fake clock, or the system's.</param>
internal sealed class MemoryTokenStore(TimeProvider? timeProvider = null) : SharedTokenStore
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly ConcurrentDictionary<string, (byte[] Value, DateTimeOffset Until)> _entries = new();
    private readonly ConcurrentDictionary<string, string> _leases = new();

    /// <summary>When set, every call throws it.</summary>
    public Exception? Failure { get; set; }

    public int Calls;

    public IReadOnlyDictionary<string, byte[]> Entries => _entries.ToDictionary(e => e.Key, e => e.Value.Value);

    public override ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        Enter();
        return ValueTask.FromResult(_entries.TryGetValue(key, out var entry) && entry.Until > _time.GetUtcNow() ? entry.Value : null);
    }

    public override ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        Enter();
        _entries[key] = (value.ToArray(), _time.GetUtcNow() + timeToLive);
        return ValueTask.CompletedTask;
    }

    public override ValueTask RemoveAsync(string key, CancellationToken cancellationToken)
    {
        Enter();
        _entries.TryRemove(key, out _);
        return ValueTask.CompletedTask;
    }

    public override ValueTask<bool> TryAcquireLeaseAsync(string key, string fence, TimeSpan duration, CancellationToken cancellationToken)
    {
        Enter();
        return ValueTask.FromResult(_leases.TryAdd(key, fence));
    }

    public override ValueTask ReleaseLeaseAsync(string key, string fence, CancellationToken cancellationToken)
    {
        Enter();
        _leases.TryRemove(new KeyValuePair<string, string>(key, fence));
        return ValueTask.CompletedTask;
    }

    public override string ToString() => $"MemoryTokenStore {{ {_entries.Count} entries }}";

    private void Enter()
    {
        Interlocked.Increment(ref Calls);
        if (Failure is { } failure)
        {
            throw failure;
        }
    }
}
