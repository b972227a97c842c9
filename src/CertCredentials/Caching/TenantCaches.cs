using CertCredentials.Configuration;
using CertCredentials.Diagnostics;
using Microsoft.Extensions.Logging;

namespace CertCredentials.Caching;

/// <summary>
/// The caches of the other tenants and scopes one credential is asked for (<c>GetTokenAsync(tenant, scope)</c>): one
/// <see cref="TokenCache"/> each, sharing the credential's key and HttpClient, with their current tokens mirrored into
/// one dense <see cref="TokenTable"/> so that a cached lookup among thousands stays close to the cost of one.
/// </summary>
internal sealed class TenantCaches : IDisposable
{
    /// <summary>Bounds the memory a caller passing unchecked tenant IDs can make the credential hold.</summary>
    public const int MaxKeys = 100_000;

    /// <summary>The slot number that stands for the credential's own cache (its configured tenant and scope).</summary>
    private const int OwnCache = int.MaxValue;

    private readonly CredentialSettings _settings;
    private readonly TokenCache _own;
    private readonly Uri? _authorityHost;
    private readonly Func<CredentialSettings, Action<CachedToken?>, TokenCache> _createCache;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly int _maxKeys;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Tenant, string Scope), int> _slotByCanonicalKey = [];
    private readonly TokenTable _table = new();
    private TokenCache?[] _caches = new TokenCache?[4];
    private bool _disposed;

    /// <param name="settings">The credential's own tenant, scope and timings.</param>
    /// <param name="own">The credential's own cache, which serves its configured tenant and scope however they are spelled.</param>
    /// <param name="authorityHost">Where other tenants' endpoints are; null when the options fixed a whole TokenEndpoint.</param>
    /// <param name="createCache">Builds a cache (assertion, endpoint, retries) for other settings, telling the given action of its token changes.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="logger">Where the cache's Trace events go: when Trace is on, lookups take the cache's path, which logs.</param>
    /// <param name="maxKeys">How many spellings of tenant and scope it accepts (<see cref="MaxKeys"/>; less in tests).</param>
    public TenantCaches(CredentialSettings settings, TokenCache own, Uri? authorityHost,
                        Func<CredentialSettings, Action<CachedToken?>, TokenCache> createCache, TimeProvider timeProvider, ILogger logger,
                        int maxKeys = MaxKeys)
    {
        _maxKeys = maxKeys;
        _settings = settings;
        _own = own;
        _authorityHost = authorityHost;
        _createCache = createCache;
        _timeProvider = timeProvider;
        _logger = GuardedLogger.For(logger);
        _slotByCanonicalKey.Add(CanonicalKey(settings), OwnCache);
        _table.Add(settings.TenantId, settings.Scope, OwnCache);
    }

    /// <summary>How many tenant and scope caches there are besides the credential's own.</summary>
    public int Count => _table.Count;

    /// <summary>The token for (<paramref name="tenant"/>, <paramref name="scope"/>), found by key; a new pair is checked and added first.</summary>
    public ValueTask<AccessToken> GetAsync(string tenant, string scope, CancellationToken cancellationToken)
    {
        int slot;
        try
        {
            slot = Resolve(tenant, scope);
        }
        catch (CertificateCredentialException e)
        {
            return ValueTask.FromException<AccessToken>(e);
        }

        return GetAsync(slot, cancellationToken);
    }

    /// <summary>The token of a slot already resolved (<see cref="Resolve"/>): a clock read and one slot read when cached.</summary>
    public ValueTask<AccessToken> GetAsync(int slot, CancellationToken cancellationToken) =>
        TryGetFresh(slot, out var token) ? new ValueTask<AccessToken>(token) : CacheOf(slot).GetAsync(cancellationToken);

    /// <summary>
    /// The cache of a resolved slot, which decides when the table cannot serve: refresh window, expiry, single flight,
    /// back-off, Trace logging.
    /// </summary>
    public TokenCache CacheOf(int slot) => slot == OwnCache ? _own : Volatile.Read(ref _caches)[slot]!; // stored before its key was added

    /// <summary>
    /// The token of a resolved slot when the table can serve it now (a hit, counted as one); false when the slot's
    /// cache must decide (the credential's own pair, none yet, refresh due, expired, Trace logging on). Returned by
    /// <c>out</c> so that <see cref="TenantCredential"/> builds its one <see cref="ValueTask{T}"/> itself.
    /// </summary>
    public bool TryGetFresh(int slot, out AccessToken token)
    {
        if (slot != OwnCache && _table.TryGetFresh(slot, _timeProvider.GetUtcNow().UtcTicks, out token) && !_logger.IsEnabled(LogLevel.Trace))
        {
            CredentialTelemetry.Count(CredentialTelemetry.CacheHits);
            return true;
        }

        token = default;
        return false;
    }

    /// <summary>The slot of (<paramref name="tenant"/>, <paramref name="scope"/>), checked and added if new; throws when they are unusable.</summary>
    public int Resolve(string tenant, string scope)
    {
        var slot = _table.Find(tenant, scope);
        return slot >= 0 ? slot : Add(tenant, scope);
    }

    /// <summary>The tenant and scope a slot serves, as checked (trimmed).</summary>
    public CredentialSettings SettingsOf(int slot) => CacheOf(slot).Settings;

    /// <summary>Drops <paramref name="token"/> from whichever of these caches holds it.</summary>
    public bool Invalidate(string token)
    {
        TokenCache?[] caches;
        int count;
        lock (_gate)
        {
            caches = _caches;
            count = _table.Count;
        }

        // A slot whose cache could not be built (its constructor threw) stays empty: skipped.
        var dropped = false;
        for (var i = 0; i < count; i++)
        {
            dropped |= caches[i]?.Invalidate(token) ?? false;
        }

        return dropped;
    }

    public void Dispose()
    {
        TokenCache?[] caches;
        int count;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            caches = _caches;
            count = _table.Count;
        }

        // Each cache clears its slot as it goes, so the table serves nothing once this returns.
        for (var i = 0; i < count; i++)
        {
            caches[i]?.Dispose();
        }
    }

    /// <summary>The slot for a (tenant, scope) not yet asked for in this spelling: a new one, or the one its canonical form has.</summary>
    private int Add(string tenant, string scope)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                throw TokenCache.Disposed();
            }

            var slot = _table.Find(tenant, scope);
            if (slot < 0)
            {
                if (_table.Keys >= _maxKeys)
                {
                    throw new CertificateCredentialException(CertificateCredentialFailure.InvalidOptions,
                        $"This credential already serves {_maxKeys:N0} tenant and scope combinations, the most one credential holds. " +
                        "If tenant IDs or scopes come from requests, check them against your own list of customers before asking for a token.");
                }

                var settings = _settings.For(tenant, scope, _authorityHost);
                var key = CanonicalKey(settings);
                if (!_slotByCanonicalKey.TryGetValue(key, out slot))
                {
                    slot = _table.NewSlot();
                    var table = _table;
                    var cache = _createCache(settings, token => table.Publish(slot, token));
                    var caches = _caches;
                    if (slot >= caches.Length)
                    {
                        Array.Resize(ref caches, Math.Max(caches.Length * 2, slot + 1));
                    }

                    // Published before the key: a reader that finds the key finds its cache.
                    caches[slot] = cache;
                    Volatile.Write(ref _caches, caches);
                    _slotByCanonicalKey.Add(key, slot);
                }

                _table.Add(tenant, scope, slot);
            }

            return slot;
        }
    }

    /// <summary>Tenant IDs and domains are case-insensitive; scopes are compared as written (after trimming).</summary>
    private static (string, string) CanonicalKey(CredentialSettings settings) => (settings.TenantId.ToUpperInvariant(), settings.Scope);
}
