using CertCredentials.Assertion;
using CertCredentials.Caching;
using CertCredentials.Configuration;
using CertCredentials.Diagnostics;
using CertCredentials.Keys;
using CertCredentials.SharedCache;
using CertCredentials.TokenEndpoint;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertCredentials;

/// <summary>
/// An Entra application credential backed by a certificate: signs the client assertion, exchanges it at the tenant's
/// token endpoint, caches the token and refreshes it in the background. Thread-safe; create one per app and keep it (a
/// singleton): the cache lives in it. It serves its configured tenant and scope, and any other on request
/// (<see cref="GetTokenAsync(string, string, CancellationToken)"/>).
/// </summary>
public sealed class CertificateClientCredential : IDisposable
{
    private readonly CredentialSettings _settings;
    private readonly KeyMaterial _key;
    private readonly ClientAssertionFactory _assertions;
    private readonly TokenRequestPipeline _pipeline;
    private readonly TokenCache _cache;
    private readonly HttpClient _httpClient;
    private readonly bool _ownsHttpClient;
    private readonly Uri? _authorityHost;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly SharedTokenCache? _shared;
    private readonly Lock _tenantsGate = new();
    private TenantCaches? _tenants;
    private int _disposed;

    /// <summary>
    /// Validates the options, reads the key once and prepares the token requests. Nothing is sent until the first
    /// <see cref="GetTokenAsync(CancellationToken)"/>.
    /// </summary>
    /// <param name="options">The tenant, client, scope, key and certificate or thumbprint.</param>
    /// <param name="httpClient">The client for token requests; by default one of its own, which follows no redirects.</param>
    /// <param name="timeProvider">The clock for assertion times, expiry and refresh; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="logger">Where to log; nothing secret is ever logged.</param>
    /// <exception cref="CertificateCredentialException">The options or the key are unusable; the message says how to fix them.</exception>
    public CertificateClientCredential(CertificateClientCredentialOptions options, HttpClient? httpClient = null,
                                       TimeProvider? timeProvider = null, ILogger? logger = null)
        : this(options, httpClient, timeProvider, logger, sharedTokenStore: null)
    {
    }

    /// <summary>The constructor under DI, which supplies the container's shared store when the options set none.</summary>
    internal CertificateClientCredential(CertificateClientCredentialOptions options, HttpClient? httpClient, TimeProvider? timeProvider,
                                         ILogger? logger, SharedTokenStore? sharedTokenStore)
    {
        ArgumentNullException.ThrowIfNull(options);
        _settings = CredentialSettings.From(options);
        var time = timeProvider ?? TimeProvider.System;
        var log = logger ?? NullLogger.Instance;
        _time = time;
        _log = log;
        _authorityHost = options.TokenEndpoint is null ? options.AuthorityHost : null;
        if ((options.SharedTokenStore ?? sharedTokenStore) is { } store)
        {
            // The signer reads the key when the first shared-cache miss needs it, after the key is loaded below.
            _shared = new SharedTokenCache(store, new SharedCacheSigner(() => _key!.Thumbprint.ToString(), SignSharedCacheLabel), time, log);
        }

        // The cache is allocated right after the credential, before the key-reading garbage, so the two share memory
        // pages and often a cache line: with thousands of credentials, the lookup then misses the CPU cache less.
        _cache = new TokenCache(AcquireAsync, _settings, time, log, shared: _shared?.For(_settings));
        try
        {
            _key = KeyMaterialLoader.Load(options);
        }
        catch
        {
            _cache.Dispose();
            throw;
        }

        try
        {
            ReportKey(log, time);
            _assertions = new ClientAssertionFactory(_key, _settings, time);
            _ownsHttpClient = httpClient is null;
            _httpClient = httpClient ?? CreateHttpClient();
            _pipeline = CreatePipeline(_settings, _assertions);
        }
        catch
        {
            _cache.Dispose();
            _key.Dispose();
            throw;
        }
    }

    /// <summary>The application (client) ID.</summary>
    public string ClientId => _settings.ClientId;

    /// <summary>The tenant the tokens come from.</summary>
    public string TenantId => _settings.TenantId;

    /// <summary>The scope requested.</summary>
    public string Scope => _settings.Scope;

    /// <summary>The token endpoint URL, which is also the assertion's audience.</summary>
    public Uri TokenEndpoint => _settings.TokenEndpoint;

    /// <summary>The thumbprint sent in the assertion header (<c>x5t#S256</c>, or <c>x5t</c> when only a SHA-1 one was given).</summary>
    public CertificateThumbprint Thumbprint => _key.Thumbprint;

    /// <summary>When the certificate expires, if the certificate was given (not only its thumbprint).</summary>
    public DateTimeOffset? CertificateExpiresOn => _key.CertificateNotAfter;

    /// <summary>The certificate's subject, if the certificate was given.</summary>
    public string? CertificateSubject => _key.CertificateSubject;

    /// <summary>The failure of the last token acquisition, or null if it succeeded (or none was made yet).</summary>
    public CertificateCredentialException? LastFailure => _cache.LastFailure as CertificateCredentialException;

    /// <summary>The token cached now, if any; does not acquire one.</summary>
    public AccessToken? CachedToken => _cache.Current?.Token;

    /// <summary>
    /// A freshly signed client assertion (RS256 or PS256 JWT, 10 minutes), for callers that send token requests
    /// themselves. Each call signs a new one. Treat it as a secret: it proves this application's identity.
    /// </summary>
    public string CreateClientAssertion()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            throw new CertificateCredentialException(CertificateCredentialFailure.Disposed, "The certificate credential was disposed, and its private key with it; create a new one.");
        }

        return _assertions.Create();
    }

    /// <summary>Why the shared token store is not in use now (for the health check), or null.</summary>
    internal string? SharedTokenStoreProblem => _shared?.Problem;

    /// <summary>Whether a token request is under way (for tests that drive time by hand).</summary>
    internal bool IsAcquiring => _cache.IsAcquiring;

    /// <summary>The key material (for tests of its disposal).</summary>
    internal KeyMaterial Key => _key;

    /// <summary>
    /// The access token: from the cache when valid (synchronously, without allocating), otherwise from one token
    /// request shared by all concurrent callers. A background refresh keeps the cache warm.
    /// </summary>
    /// <exception cref="CertificateCredentialException">No token could be obtained; see <see cref="TokenEndpointException"/>.</exception>
    public ValueTask<AccessToken> GetTokenAsync(CancellationToken cancellationToken = default) => _cache.GetAsync(cancellationToken);

    /// <summary>
    /// The access token for another tenant or scope, with the same application and certificate: for a multi-tenant
    /// app calling its customers' tenants, or one app calling several resources. Each tenant and scope has its own
    /// cache, single flight and background refresh, as <see cref="GetTokenAsync(CancellationToken)"/> has; a cached
    /// lookup allocates nothing and stays under a microsecond however many tenants the credential serves (up to 100,000);
    /// callers that ask for the same tenant often can keep a <see cref="ForTenant(string, string)"/> value instead,
    /// which skips the lookup by key. The configured tenant and scope share the credential's own cache.
    /// </summary>
    /// <param name="tenantId">The tenant: a GUID or a verified domain, checked as <see cref="CertificateClientCredentialOptions.TenantId"/> is.</param>
    /// <param name="scope">The resource's <c>/.default</c> scope, checked as <see cref="CertificateClientCredentialOptions.Scope"/> is.</param>
    /// <param name="cancellationToken">Stops this caller's wait (not the request others share).</param>
    /// <exception cref="CertificateCredentialException">The tenant or scope is unusable (the message says why), or no token could be obtained.</exception>
    public ValueTask<AccessToken> GetTokenAsync(string tenantId, string scope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(scope);
        return (Volatile.Read(ref _tenants) ?? CreateTenants()).GetAsync(tenantId, scope, cancellationToken);
    }

    /// <summary>
    /// Gets a new token now, bypassing the cache, optionally answering a claims challenge (continuous access
    /// evaluation: pass the decoded JSON of the <c>claims</c> parameter of <c>WWW-Authenticate</c>). The new token
    /// replaces the cached one. Concurrent calls with the same claims share one request.
    /// </summary>
    public Task<AccessToken> RefreshTokenAsync(string? claims = null, CancellationToken cancellationToken = default) =>
        _cache.RefreshAsync(string.IsNullOrWhiteSpace(claims) ? null : claims, cancellationToken);

    /// <summary>
    /// Gets a new token now for another tenant or scope, bypassing that pair's cache, optionally answering a claims
    /// challenge, as <see cref="RefreshTokenAsync(string?, CancellationToken)"/> does for the configured pair: for a
    /// resource of another tenant that sent a CAE challenge (and for an Azure SDK <c>TokenRequestContext</c> that
    /// carries both a tenant and claims). The new token replaces that pair's cached one; the configured tenant and
    /// scope share the credential's own cache.
    /// </summary>
    /// <param name="tenantId">The tenant, checked as in <see cref="GetTokenAsync(string, string, CancellationToken)"/>.</param>
    /// <param name="scope">The resource's <c>/.default</c> scope, checked likewise.</param>
    /// <param name="claims">The decoded JSON of the challenge's <c>claims</c> parameter, or null.</param>
    /// <param name="cancellationToken">Stops this caller's wait.</param>
    /// <exception cref="CertificateCredentialException">The tenant or scope is unusable (the message says why), or no token could be obtained.</exception>
    public Task<AccessToken> RefreshTokenAsync(string tenantId, string scope, string? claims = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(scope);
        var tenants = Volatile.Read(ref _tenants) ?? CreateTenants();
        return tenants.CacheOf(tenants.Resolve(tenantId, scope))
            .RefreshAsync(string.IsNullOrWhiteSpace(claims) ? null : claims, cancellationToken);
    }

    /// <summary>
    /// Resolves a tenant and scope once, for callers that keep one value per customer and ask it for tokens often:
    /// <see cref="TenantCredential.GetTokenAsync(CancellationToken)"/> then finds the cached token without a lookup by
    /// key (about 0.1 µs among 10,000 tenants). The tenant and scope are checked now (nothing is sent); the first
    /// token is requested by the first <see cref="TenantCredential.GetTokenAsync(CancellationToken)"/>. Asking again for
    /// the same pair, however spelled, gives an equal value sharing the same cache.
    /// </summary>
    /// <param name="tenantId">The tenant: a GUID or a verified domain, checked as <see cref="CertificateClientCredentialOptions.TenantId"/> is.</param>
    /// <param name="scope">The resource's <c>/.default</c> scope, checked as <see cref="CertificateClientCredentialOptions.Scope"/> is.</param>
    /// <exception cref="CertificateCredentialException">The tenant or scope is unusable (the message says why), or the credential was disposed.</exception>
    public TenantCredential ForTenant(string tenantId, string scope)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(scope);
        var tenants = Volatile.Read(ref _tenants) ?? CreateTenants();
        return new TenantCredential(tenants, tenants.Resolve(tenantId, scope));
    }

    /// <summary>
    /// Drops <paramref name="token"/> from the cache if it is still the cached one, because a resource rejected it;
    /// the next <see cref="GetTokenAsync(CancellationToken)"/> gets a new one. Returns whether it was dropped.
    /// </summary>
    public bool InvalidateToken(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var dropped = _cache.Invalidate(token);
        return Volatile.Read(ref _tenants) is { } tenants ? tenants.Invalidate(token) | dropped : dropped;
    }

    /// <summary>Describes the credential without secrets.</summary>
    public override string ToString() =>
        $"CertificateClientCredential {{ ClientId = {ClientId}, TenantId = {TenantId}, Scope = {Scope}, TokenEndpoint = {TokenEndpoint}, {_key} }}";

    /// <summary>Disposes the private key and cancels any token request under way.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _cache.Dispose();
        lock (_tenantsGate)
        {
            _tenants?.Dispose();
        }

        if (_ownsHttpClient)
        {
            _httpClient.Dispose();
        }

        _key.Dispose();
    }

    private Task<TokenResponse> AcquireAsync(string? claimsChallenge, CancellationToken cancellationToken) =>
        SendAsync(_pipeline, _settings, claimsChallenge, cancellationToken);

    /// <summary>A token request of one tenant and scope, with the client capabilities merged into any claims challenge.</summary>
    private static Task<TokenResponse> SendAsync(TokenRequestPipeline pipeline, CredentialSettings settings, string? claimsChallenge, CancellationToken cancellationToken) =>
        pipeline.SendAsync(ClientClaims.Merge(settings.ClientCapabilitiesClaims, claimsChallenge), cancellationToken);

    /// <summary>Token requests for one tenant and scope (endpoint, retries, timeout), on this credential's HttpClient, key and clock.</summary>
    private TokenRequestPipeline CreatePipeline(CredentialSettings settings, ClientAssertionFactory assertions) =>
        new(new TokenRequestSender(_httpClient, settings, assertions, _time, _key.Thumbprint.ToString()), settings, _time, _log);

    /// <summary>Made on the first call for another tenant or scope: a credential that never serves one pays nothing for it.</summary>
    private TenantCaches CreateTenants()
    {
        lock (_tenantsGate)
        {
            if (_tenants is null)
            {
                var tenants = new TenantCaches(_settings, _cache, _authorityHost, CreateCache, _time, _log);
                if (Volatile.Read(ref _disposed) != 0)
                {
                    tenants.Dispose(); // serves nothing: every call then gets the typed "disposed" error
                }

                Volatile.Write(ref _tenants, tenants);
            }

            return _tenants;
        }
    }

    /// <summary>Another tenant's or scope's token requests: its own assertion audience, endpoint and retries, this credential's key and HttpClient.</summary>
    private TokenCache CreateCache(CredentialSettings settings, Action<CachedToken?> changed)
    {
        var pipeline = CreatePipeline(settings, new ClientAssertionFactory(_key, settings, _time));
        return new TokenCache((claims, cancellationToken) => SendAsync(pipeline, settings, claims, cancellationToken), settings, _time, _log, changed,
            _shared?.For(settings));
    }

    /// <summary>The signature the shared cache derives its entry keys from: deterministic RS256 by the current key.</summary>
    private ValueTask<byte[]> SignSharedCacheLabel(byte[] label, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_key.PrivateKey.SignData(label, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1));
    }

    private void ReportKey(ILogger log, TimeProvider time)
    {
        CredentialLog.KeyLoaded(log, _settings.ClientId, _key.ToString());
        foreach (var warning in _key.Warnings)
        {
            CredentialLog.KeyWarning(log, warning);
        }

        if (_key.CertificateNotAfter is { } notAfter)
        {
            var left = notAfter - time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                CredentialLog.CertificateExpired(log, _key.CertificateSubject!, _key.Thumbprint.ToString(), notAfter);
            }
            else if (left <= TimeSpan.FromDays(30))
            {
                CredentialLog.CertificateExpiresSoon(log, _key.CertificateSubject!, _key.Thumbprint.ToString(), notAfter, (int)left.TotalDays);
            }
        }
    }

    /// <summary>
    /// Token requests follow no redirects (an assertion must not be replayed to another host) and recycle pooled
    /// connections so DNS changes are seen. Polly enforces the per-attempt timeout, so HttpClient's is off.
    /// </summary>
    private static HttpClient CreateHttpClient() =>
        new(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(15),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
}
