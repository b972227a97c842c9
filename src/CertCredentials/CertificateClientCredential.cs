using CertCredentials.Assertion;
using CertCredentials.Caching;
using CertCredentials.Configuration;
using CertCredentials.Diagnostics;
using CertCredentials.Lifecycle;
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
    private readonly CertificateReloader _reloader;
    private readonly RestartBoundOptions _restartBound;
    private readonly ClientAssertionFactory _assertions;
    private readonly TokenRequestPipeline _pipeline;
    private readonly TokenCache _cache;
    private readonly HttpClient _httpClient;
    private readonly bool _ownsHttpClient;
    private readonly Uri? _authorityHost;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly SharedTokenCache? _shared;
    private readonly DisposalNotice _disposal = new();
    private readonly Lock _tenantsGate = new();
    private TenantCaches? _tenants;
    private string? _restartReported;
    private int _disposed;

    /// <summary>
    /// Validates the options, reads the key (from the options, or asks their <see cref="CertificateClientCredentialOptions.CertificateSource"/>,
    /// blocking this caller for at most RequestTimeout) and prepares the token requests. Nothing is sent until the first
    /// <see cref="GetTokenAsync(CancellationToken)"/>. Key and certificate files are then watched, and checked every
    /// <see cref="CertificateClientCredentialOptions.CertificateReloadInterval"/>: a new certificate replaces the old one without a restart.
    /// </summary>
    /// <param name="options">The tenant, client, scope, key and certificate or thumbprint (or a certificate source).</param>
    /// <param name="httpClient">The client for token requests; by default one of its own, which follows no redirects.</param>
    /// <param name="timeProvider">The clock for assertion times, expiry, refresh and the reload checks; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="logger">Where to log; nothing secret is ever logged.</param>
    /// <exception cref="CertificateCredentialException">The options, the key, the source or the signer are unusable; the message says how to fix them.</exception>
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
        // Guarded: a logger that throws must not change what callers get (Microsoft.Extensions.Logging passes a
        // provider's exception up to the code that logged).
        var log = GuardedLogger.For(logger ?? NullLogger.Instance);
        _time = time;
        _log = log;
        _authorityHost = options.TokenEndpoint is null ? options.AuthorityHost : null;
        _restartBound = RestartBoundOptions.From(options);
        if ((options.SharedTokenStore ?? sharedTokenStore) is { } store)
        {
            // Asked on the first shared-cache miss, after the key is loaded below; the thumbprint follows rotations.
            _shared = new SharedTokenCache(store, new SharedCacheSigner(() => _reloader!.Holder.Current.Thumbprint, SignSharedCacheLabel), time, log);
        }

        // The cache is allocated right after the credential, before the key-reading garbage, so the two share memory
        // pages and often a cache line: with thousands of credentials, the lookup then misses the CPU cache less.
        _cache = new TokenCache(AcquireAsync, _settings, time, log, shared: _shared?.For(_settings), disposal: _disposal);
        try
        {
            _reloader = CertificateReloader.Start(options, _settings, time, log);
        }
        catch
        {
            _cache.Dispose();
            throw;
        }

        try
        {
            _assertions = new ClientAssertionFactory(_reloader.Holder, _settings, time);
            _ownsHttpClient = httpClient is null;
            _httpClient = httpClient ?? TokenEndpointHttp.CreateClient();
            _pipeline = CreatePipeline(_settings, _assertions);
        }
        catch
        {
            _cache.Dispose();
            _reloader.Dispose();
            throw;
        }
        // Once per credential: the key loader has no logger, so it marks the key and this room reports it.
        if (_reloader.Holder.Current.Certificate.PassphraseTrimmed)
        {
            CredentialLog.PassphraseTrimmed(log, _settings.ClientId);
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

    /// <summary>
    /// The thumbprint sent in the assertion header (<c>x5t#S256</c>, or <c>x5t</c> when only a SHA-1 one was given) of
    /// the certificate in use now: it changes when a new certificate replaces the old one.
    /// </summary>
    public CertificateThumbprint Thumbprint => _reloader.Holder.Current.Thumbprint;

    /// <summary>When the certificate in use expires, if the certificate was given (not only its thumbprint).</summary>
    public DateTimeOffset? CertificateExpiresOn => _reloader.Holder.Current.NotAfter;

    /// <summary>The subject of the certificate in use, if the certificate was given.</summary>
    public string? CertificateSubject => _reloader.Holder.Current.Subject;

    /// <summary>The failure of the last token acquisition, or null if it succeeded (or none was made yet).</summary>
    public CertificateCredentialException? LastFailure => _cache.LastFailure as CertificateCredentialException;

    /// <summary>The token cached now, if any; does not acquire one.</summary>
    public AccessToken? CachedToken => _cache.Current?.Token;

    /// <summary>
    /// A freshly signed client assertion (RS256 or PS256 JWT, 10 minutes), for callers that send token requests
    /// themselves. Each call signs a new one. Treat it as a secret: it proves this application's identity. With a
    /// <see cref="ClientAssertionSigner"/> this blocks the calling thread until the signer answers (at most RequestTimeout):
    /// prefer <see cref="CreateClientAssertionAsync"/> there.
    /// </summary>
    /// <exception cref="CertificateCredentialException">The credential was disposed, or the key or signer failed to sign.</exception>
    public string CreateClientAssertion()
    {
        ThrowIfDisposed();
        return _assertions.Create();
    }

    /// <summary>
    /// A freshly signed client assertion, signed by a <see cref="ClientAssertionSigner"/> without blocking (a local
    /// key signs synchronously). Each call signs a new one (one signer call). Treat it as a secret.
    /// </summary>
    /// <exception cref="CertificateCredentialException">The credential was disposed, or the key or signer failed to sign.</exception>
    public async ValueTask<string> CreateClientAssertionAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return (await _assertions.CreateAsync(cancellationToken).ConfigureAwait(false)).Text;
    }

    /// <summary>Why the shared token store is not in use now (for the health check), or null.</summary>
    internal string? SharedTokenStoreProblem => _shared?.Problem;

    /// <summary>Whether a token request is under way (for tests that drive time by hand).</summary>
    internal bool IsAcquiring => _cache.IsAcquiring;

    /// <summary>The signing identity in use (for tests of rotation and disposal).</summary>
    internal SigningIdentity Identity => _reloader.Holder.Current;

    /// <summary>The rotation of this credential's key: checks, reloads, the holder (for the health check, the shared store and tests).</summary>
    internal CertificateReloader Reloader => _reloader;

    /// <summary>The failure of the last reloads of the key or certificate while the previous one keeps serving; null when none.</summary>
    internal CertificateCredentialException? CertificateReloadFailure => _reloader.ReloadFailure;

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
    /// lookup allocates nothing, and took under a microsecond among 10,000 tenants (the most measured; a credential holds
    /// at most 100,000 pairs); callers that ask for the same tenant often can keep a <see cref="ForTenant(string, string)"/> value instead,
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
        $"CertificateClientCredential {{ ClientId = {ClientId}, TenantId = {TenantId}, Scope = {Scope}, TokenEndpoint = {TokenEndpoint}, {_reloader.Holder.Current} }}";

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

        // The key is disposed once no assertion is being signed with it any more.
        _reloader.Dispose();
    }

    /// <summary>
    /// New options of a credential built by dependency injection (IOptionsMonitor): new key inputs, a new source or a
    /// new CertificateReloadInterval apply in place (same object, new key); options the running credential cannot
    /// change are logged once as needing a restart. Options with a problem are not applied: reported as a failed
    /// reload, the old key serving. Never throws (it runs on the configuration's reload thread).
    /// </summary>
    internal void Reconfigure(CertificateClientCredentialOptions options)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        var problems = Configuration.CredentialOptionsValidator.Validate(options);
        var restart = _restartBound.ChangedIn(options);
        var restartText = string.Join(", ", restart);
        if (restart.Count == 0)
        {
            Volatile.Write(ref _restartReported, null);
        }
        else if (Interlocked.Exchange(ref _restartReported, restartText) != restartText)
        {
            LifecycleLog.RestartNeeded(_log, restartText, ClientId, problems.Count == 0 ? string.Empty : "The new options also have problems: " + string.Join(" ", problems));
        }

        if (problems.Count > 0)
        {
            _reloader.ReportFailure(new CertificateCredentialException(CertificateCredentialFailure.InvalidOptions,
                "The changed options were not applied: " + Configuration.CredentialOptionsValidator.Describe(problems)), ReloadTrigger.Options);
            return;
        }

        _reloader.Reconfigure(options);
    }

    private Task<TokenResponse> AcquireAsync(string? claimsChallenge, CancellationToken cancellationToken) =>
        SendAsync(_pipeline, _settings, _reloader, claimsChallenge, cancellationToken);

    /// <summary>
    /// A token request of one tenant and scope, with the client capabilities merged into any claims challenge. When
    /// the endpoint reports that Entra refused the certificate, this room decides: the certificate is reloaded (once
    /// per burst of refusals, shared with every tenant's requests) and, if that gives another certificate, this request
    /// is sent once more with it; a second refusal reaches the caller. Never a loop.
    /// </summary>
    private static async Task<TokenResponse> SendAsync(TokenRequestPipeline pipeline, CredentialSettings settings, CertificateReloader reloader,
                                                       string? claimsChallenge, CancellationToken cancellationToken)
    {
        var claims = ClientClaims.Merge(settings.ClientCapabilitiesClaims, claimsChallenge);
        try
        {
            return await pipeline.SendAsync(claims, cancellationToken).ConfigureAwait(false);
        }
        catch (TokenEndpointException e) when (e.RefusedCertificate is { } refused)
        {
            if (!await reloader.ReloadAfterRefusalAsync(refused, e.ErrorCodes.Count > 0 ? e.ErrorCodes[0] : null, cancellationToken).ConfigureAwait(false))
            {
                throw;
            }
        }

        return await pipeline.SendAsync(claims, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Token requests for one tenant and scope (endpoint, retries, timeout), on this credential's HttpClient, key and clock.</summary>
    private TokenRequestPipeline CreatePipeline(CredentialSettings settings, ClientAssertionFactory assertions) =>
        new(new TokenRequestSender(_httpClient, settings, assertions, _time), settings, _time, _log);

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
        var pipeline = CreatePipeline(settings, new ClientAssertionFactory(_reloader.Holder, settings, _time));
        var reloader = _reloader;
        return new TokenCache((claims, cancellationToken) => SendAsync(pipeline, settings, reloader, claims, cancellationToken), settings, _time, _log, changed,
            _shared?.For(settings), disposal: _disposal);
    }

    /// <summary>
    /// The signature the shared cache derives its entry keys from: RS256 of the store label by the current key, made
    /// once per certificate by its signing identity (with a signer, the check signature made when it was taken: no
    /// extra remote call).
    /// </summary>
    private async ValueTask<byte[]> SignSharedCacheLabel(byte[] label, CancellationToken cancellationToken)
    {
        if (!label.AsSpan().SequenceEqual(SigningIdentity.StoreKeyLabel))
        {
            throw new InvalidOperationException("The shared token store derives its keys from the signing identity's store label only.");
        }

        return (await _reloader.Holder.GetStoreKeySignatureAsync(cancellationToken).ConfigureAwait(false)).Signature;
    }

    private void ThrowIfDisposed()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            throw new CertificateCredentialException(CertificateCredentialFailure.Disposed, "The certificate credential was disposed, and its private key with it; create a new one.");
        }
    }
}
