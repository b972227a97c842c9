using System.Diagnostics.Metrics;
using CertCredentials.Configuration;
using CertCredentials.Diagnostics;
using Microsoft.Extensions.Logging;

namespace CertCredentials.SharedCache;

/// <summary>
/// One credential's side of the shared token store: the keys derived from its current certificate (once per
/// thumbprint), every store call bounded by the store's <see cref="SharedTokenStore.OperationTimeout"/>, and the
/// fault episode (a Warning once when the store starts failing, an Information when it answers again, the reason for
/// the health check meanwhile). Each tenant and scope gets a <see cref="SharedTokenPair"/> that runs the protocol.
/// </summary>
internal sealed class SharedTokenCache
{
    private static readonly Counter<long> Reads = CredentialTelemetry.Meter.CreateCounter<long>(
        "certcredentials.shared_cache.reads", unit: "{read}", description: "Reads of the shared token store by outcome (hit, miss, refused, failed).");

    private static readonly Counter<long> StoreFailures = CredentialTelemetry.Meter.CreateCounter<long>(
        "certcredentials.shared_cache.failures", unit: "{call}", description: "Shared token store calls that failed or timed out, by operation.");

    private readonly SharedTokenStore _store;
    private readonly SharedCacheSigner _signer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _storeName;
    private readonly Lock _keysGate = new();
    private DerivedKeys? _keys;
    private const int NotFailing = 0;
    private const int ReadFailing = 1;
    private const int WriteFailing = 2;
    private int _failing;
    private string? _problem;

    public SharedTokenCache(SharedTokenStore store, SharedCacheSigner signer, TimeProvider time, ILogger logger)
    {
        _store = store;
        _signer = signer;
        _time = time;
        _logger = logger;
        _storeName = SafeName(store);
        Timeout = store.OperationTimeout > TimeSpan.Zero ? store.OperationTimeout : TimeSpan.FromMilliseconds(250);
    }

    /// <summary>The bound of one store call.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Why the store is not in use now (for the health check), or null while it answers.</summary>
    public string? Problem => Volatile.Read(ref _problem);

    public TimeProvider Time => _time;

    public ILogger Logger => _logger;

    public SharedTokenStore Store => _store;

    public SharedTokenPair For(CredentialSettings settings) => new(this, settings);

    /// <summary>The entry keys of the current certificate, derived on first use and after each rotation; null when they cannot be (reported).</summary>
    public async ValueTask<SharedEntryKeys?> KeysAsync(CancellationToken cancellationToken)
    {
        CertificateThumbprint thumbprint;
        try
        {
            thumbprint = _signer.CurrentThumbprint();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return null;
        }

        var current = Volatile.Read(ref _keys);
        if (current is null || !current.IsFor(thumbprint))
        {
            // One signature per thumbprint however many misses arrive at once (a cold start has one per pair).
            lock (_keysGate)
            {
                current = _keys;
                if (current is null || !current.IsFor(thumbprint))
                {
                    current = new DerivedKeys(thumbprint, DeriveAsync(thumbprint, cancellationToken));
                    Volatile.Write(ref _keys, current);
                }
            }
        }

        var keys = await current.Task.ConfigureAwait(false);
        if (keys is null)
        {
            // Not remembered: the next miss tries again (the key may be usable then, e.g. a remote signer back).
            Interlocked.CompareExchange(ref _keys, null, current);
        }

        return keys;
    }

    /// <summary>
    /// Runs one store call within <paramref name="timeout"/> (the store's bound by default). A failure or timeout is
    /// reported once per episode and returns false; the caller's own cancellation (disposal) propagates.
    /// </summary>
    /// <param name="operation">The call's name in reports (get, set, remove, lease, release, wait).</param>
    /// <param name="call">The store call, given the store, <paramref name="state"/> and the token bounding it (static: nothing to allocate per call).</param>
    /// <param name="state">What the call needs (the entry's name, and so on).</param>
    /// <param name="cancellationToken">The caller's own cancellation.</param>
    /// <param name="timeout">The bound, when not the store's operation timeout.</param>
    public async ValueTask<(bool Ok, T Value)> CallAsync<TState, T>(string operation, Func<SharedTokenStore, TState, CancellationToken, ValueTask<T>> call,
                                                                  TState state, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var bound = timeout ?? Timeout;

        // One timer bounds the call: it cancels the token the store is given and ends the wait below. The caller's
        // cancellation cancels the same token (no registration at all when the caller cannot cancel).
        using var bounded = new CancellationTokenSource(bound, _time);
        using var caller = cancellationToken.UnsafeRegister(static source => ((CancellationTokenSource)source!).Cancel(), bounded);
        try
        {
            var pending = call(_store, state, bounded.Token);

            // An answer already there needs no wait; a pending one is awaited through the token as well, so that a
            // store that ignores cancellation still cannot hold the caller past the bound.
            var value = pending.IsCompleted ? pending.Result : await pending.AsTask().WaitAsync(bounded.Token).ConfigureAwait(false);
            Answered(operation);
            return (true, value);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            Failed(operation, e is TimeoutException || (e is OperationCanceledException && bounded.IsCancellationRequested)
                ? $"no answer within {bound.TotalMilliseconds:F0} ms"
                : Describe(e));
            return (false, default!);
        }
    }

    /// <summary>Counts a read by its outcome; a MeterListener that throws does not reach the caller.</summary>
    public static void CountRead(string outcome) => CredentialTelemetry.Count(Reads, "outcome", outcome);

    /// <summary>
    /// Ends the episode: a write answering ends any, a read only a read's (a Redis out of memory answers reads and
    /// refuses writes: that is one episode, not one per call).
    /// </summary>
    private void Answered(string operation)
    {
        var failing = Volatile.Read(ref _failing);
        if (failing == NotFailing || (failing == WriteFailing && IsRead(operation)))
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _failing, NotFailing, failing) == failing)
        {
            Volatile.Write(ref _problem, null);
            SharedCacheLog.StoreRecovered(_logger, _storeName);
        }
    }

    private void Failed(string operation, string reason)
    {
        CredentialTelemetry.Count(StoreFailures, "operation", operation);
        Volatile.Write(ref _problem, $"The shared token store ({_storeName}) failed ({operation}: {reason}); this instance requests its tokens directly until it answers again.");
        var state = IsRead(operation) ? ReadFailing : WriteFailing;
        while (true)
        {
            // A failing write covers failing reads; a read failing during a write episode is the same episode.
            var previous = Volatile.Read(ref _failing);
            if (previous >= state)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _failing, state, previous) == previous)
            {
                if (previous == NotFailing)
                {
                    SharedCacheLog.StoreFailed(_logger, _storeName, operation, reason);
                }

                return;
            }
        }
    }

    private static bool IsRead(string operation) => operation is "get" or "wait";

    private async Task<SharedEntryKeys?> DeriveAsync(CertificateThumbprint certificate, CancellationToken cancellationToken)
    {
        var thumbprint = certificate.ToString();
        try
        {
            var signature = await _signer.SignRs256((byte[])SharedEntryKeys.Label.Clone(), cancellationToken).ConfigureAwait(false);
            return SharedEntryKeys.Derive(thumbprint, signature);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            var reason = Describe(e);
            Volatile.Write(ref _problem, $"The shared token store key could not be derived from the certificate {thumbprint} ({reason}); this instance requests its tokens directly.");
            SharedCacheLog.KeyDerivationFailed(_logger, thumbprint, reason);
            return null;
        }
    }

    /// <summary>The exception's type and the first line of its message, shortened: store clients name endpoints, never entries' contents.</summary>
    private static string Describe(Exception e)
    {
        var message = e.Message;
        var end = message.IndexOfAny(['\r', '\n']);
        if (end >= 0)
        {
            message = message[..end];
        }

        if (message.Length > 200)
        {
            message = message[..200] + "...";
        }

        return $"{e.GetType().Name}: {message}";
    }

    private static string SafeName(SharedTokenStore store)
    {
        try
        {
            return store.ToString() ?? store.GetType().Name;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return store.GetType().Name;
        }
    }

    private sealed record DerivedKeys(CertificateThumbprint Thumbprint, Task<SharedEntryKeys?> Task)
    {
        /// <summary>The identity holds one thumbprint object per certificate: the same reference, unless it rotated.</summary>
        public bool IsFor(CertificateThumbprint thumbprint) => ReferenceEquals(Thumbprint, thumbprint) || Thumbprint.Equals(thumbprint);
    }
}
