namespace CertCredentials;

/// <summary>
/// Where the instances of a fleet share their tokens (Redis: <c>CertCredentials.StackExchangeRedis</c>). A store only
/// transports opaque bytes: the credential encrypts and authenticates every entry (AES-GCM, under a key derived from
/// a signature by the credential's own private key) before it reaches the store, names entries by a keyed hash, and
/// runs the protocol itself (read, lease, request, write, notify). A store never sees a token, a tenant or a scope.
/// </summary>
/// <remarks>
/// Every call is bounded by <see cref="OperationTimeout"/> and cancelled past it; a store that throws, hangs or answers
/// nonsense never fails a caller: the credential then requests its tokens directly, logs a Warning once, and reports
/// itself Degraded in its health check until the store answers again. Implementations must be thread-safe.
/// </remarks>
public abstract class SharedTokenStore
{
    /// <summary>How long the credential waits for one call of this store before it goes on without it (250 ms by default).</summary>
    public virtual TimeSpan OperationTimeout => TimeSpan.FromMilliseconds(250);

    /// <summary>The bytes stored under <paramref name="key"/>, or null when there are none (or they expired).</summary>
    public abstract ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Stores <paramref name="value"/> under <paramref name="key"/> for <paramref name="timeToLive"/>, replacing what was
    /// there, and then wakes the callers of <see cref="WaitForChangeAsync"/> for that key (in this and other processes).
    /// </summary>
    public abstract ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, TimeSpan timeToLive, CancellationToken cancellationToken);

    /// <summary>Removes what is stored under <paramref name="key"/>, and then wakes the waiters of that key.</summary>
    public abstract ValueTask RemoveAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the lease of <paramref name="key"/> for <paramref name="duration"/> if nobody holds it (Redis:
    /// <c>SET key:lease fence NX PX duration</c>). Returns false when someone else holds it. The lease expires by itself,
    /// so a holder that dies is replaced once <paramref name="duration"/> has passed.
    /// </summary>
    /// <param name="key">The entry's key (the store derives the lease's own name from it).</param>
    /// <param name="fence">A value unique to this taking of the lease, which <see cref="ReleaseLeaseAsync"/> must match.</param>
    /// <param name="duration">How long the lease holds unless released.</param>
    /// <param name="cancellationToken">Cancelled past <see cref="OperationTimeout"/>.</param>
    public abstract ValueTask<bool> TryAcquireLeaseAsync(string key, string fence, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>
    /// Releases the lease of <paramref name="key"/> only if it is still held with <paramref name="fence"/> (compare and
    /// delete in one atomic step): a holder whose lease expired and was taken by another never releases the other's.
    /// </summary>
    public abstract ValueTask ReleaseLeaseAsync(string key, string fence, CancellationToken cancellationToken);

    /// <summary>
    /// Waits until what is stored under <paramref name="key"/> may have changed (true), or until <paramref name="timeout"/>
    /// has passed (false). A store that cannot notify returns false at once (the default): the credential then polls.
    /// </summary>
    public virtual ValueTask<bool> WaitForChangeAsync(string key, TimeSpan timeout, CancellationToken cancellationToken) => ValueTask.FromResult(false);

    /// <summary>Describes the store without any secret (e.g. its endpoint), for logs and the health check.</summary>
    public override string ToString() => GetType().Name;
}
