using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using CertCredentials.Testing.Hosting;
using CertCredentials.Testing.TokenService;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CertCredentials.Testing;

/// <summary>
/// A local, Microsoft Entra ID-compatible token service for the client credentials flow with certificate
/// assertions, running on Kestrel at 127.0.0.1. It checks client assertions as Entra does and refuses with Entra's
/// error shapes and AADSTS codes, issues RS256 access tokens signed by its own key, and can play faults.
/// All members are thread-safe.
/// </summary>
public sealed class LocalTokenService : IAsyncDisposable
{
    private readonly LocalTokenServiceOptions _options;
    private readonly WebApplication _app;
    private readonly ApplicationRegistry _registry = new();
    private readonly AccessTokenIssuer _issuer = new();
    private readonly FaultQueue _faults = new();
    private readonly BoundedLog<RecordedTokenRequest> _requests;
    private readonly TokenRequestValidator _validator;
    private readonly CancellationTokenSource _stopping = new();
    private string _authority = string.Empty;
    private TokenFault? _persistentFault;
    private int _tokenRequestCount;
    private int _disposed;

    private LocalTokenService(LocalTokenServiceOptions options)
    {
        _options = options;
        _requests = new BoundedLog<RecordedTokenRequest>(options.MaxRecordedRequests);
        _validator = new TokenRequestValidator(_registry, options);
        _app = LoopbackHost.Create(options.Port, options.HttpsCertificate);
        _app.MapPost("/{tenant}/oauth2/v2.0/token", HandleTokenRequestAsync);
        _app.MapGet("/{tenant}/v2.0/.well-known/openid-configuration", HandleOpenIdConfigurationAsync);
        _app.MapGet("/{tenant}/.well-known/openid-configuration", HandleOpenIdConfigurationAsync);
        _app.MapGet("/{tenant}/discovery/v2.0/keys", HandleKeysAsync);
        _app.MapGet("/common/discovery/instance", HandleInstanceDiscoveryAsync);
    }

    /// <summary>The service's address, e.g. <c>http://127.0.0.1:54321</c> (no path).</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>
    /// Every POST to a token endpoint since the start, faulted ones included (not reset by <see cref="ClearRequests"/>).
    /// </summary>
    public int TokenRequestCount => Volatile.Read(ref _tokenRequestCount);

    /// <summary>
    /// A snapshot of the recorded token requests, oldest first (at most
    /// <see cref="LocalTokenServiceOptions.MaxRecordedRequests"/>, the latest kept).
    /// </summary>
    public IReadOnlyList<RecordedTokenRequest> Requests => _requests.Snapshot();

    /// <summary>
    /// The RSA public key (RSA-2048) that signs access tokens, with its key ID. One key per process, shared by all
    /// instances; the issuer (which names the instance's port) still tells their tokens apart.
    /// </summary>
    public SecurityKey SigningKey => _issuer.SigningKey;

    /// <summary>
    /// A fault applied to every token request while set (the endpoint is "down"); queued faults
    /// (<see cref="EnqueueFault"/>) go first. Its <see cref="TokenFault.Times"/> is ignored.
    /// </summary>
    public TokenFault? PersistentFault
    {
        get => Volatile.Read(ref _persistentFault);
        set => Volatile.Write(ref _persistentFault, value);
    }

    /// <summary>The clock the service uses.</summary>
    public TimeProvider TimeProvider => _options.TimeProvider;

    /// <summary>Starts a service on 127.0.0.1.</summary>
    /// <param name="options">Settings; defaults when null.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The started service; dispose it to stop it.</returns>
    public static async Task<LocalTokenService> StartAsync(
        LocalTokenServiceOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new LocalTokenServiceOptions();
        ArgumentNullException.ThrowIfNull(options.TimeProvider, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.AccessTokenLifetime, TimeSpan.FromSeconds(1), nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ResponseDelay, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ClockSkew, TimeSpan.Zero, nameof(options));

        var service = new LocalTokenService(options);
        try
        {
            await service._app.StartAsync(cancellationToken).ConfigureAwait(false);
            service.BaseAddress = LoopbackHost.GetBaseAddress(service._app);
            service._authority = service.BaseAddress.GetLeftPart(UriPartial.Authority);
            return service;
        }
        catch
        {
            await service.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The token endpoint of a tenant: <c>{BaseAddress}/{tenant}/oauth2/v2.0/token</c>.</summary>
    public Uri GetTokenEndpoint(string tenant) => new(GetTokenEndpointString(tenant));

    /// <summary>The issuer written in access tokens of a tenant: <c>{BaseAddress}/{tenant}/v2.0</c>.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1055:URI-like return values should not be strings",
        Justification = "Issuers are compared as strings (TokenValidationParameters.ValidIssuer).")]
    public string GetIssuer(string tenant)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenant);
        return $"{_authority}/{tenant}/v2.0";
    }

    /// <summary>
    /// Registers a certificate (its public part is enough) for an application in a tenant, and the resources it may
    /// get tokens for. Can be called again to add certificates or resources. A tenant becomes known when an
    /// application is registered in it; any string is accepted as a tenant (a GUID or a domain such as
    /// <c>contoso.onmicrosoft.com</c>). Tenants and client IDs are matched case-insensitively.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="clientId">The application (client) ID.</param>
    /// <param name="certificate">The application's certificate, with an RSA key.</param>
    /// <param name="resources">Resources such as <c>https://graph.microsoft.com</c> or <c>api://my-api</c>.</param>
    public void RegisterApplication(string tenantId, string clientId, X509Certificate2 certificate, params string[] resources)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(resources);
        _registry.Register(tenantId, clientId, certificate, resources);
    }

    /// <summary>
    /// Removes a certificate from an application, as deleting it from the app registration's "Certificates &amp;
    /// secrets" does: assertions signed with its key are refused from then on (AADSTS700027), while the
    /// application's other certificates keep working. A certificate rollover is
    /// <see cref="RegisterApplication"/> with the new certificate, the client switched to it, then this with the old
    /// one. Tokens already issued stay valid until they expire.
    /// </summary>
    /// <param name="tenantId">The tenant the application is registered in.</param>
    /// <param name="clientId">The application (client) ID.</param>
    /// <param name="certificate">The certificate to remove (its public part is enough).</param>
    /// <returns>True when it was registered for the application and is now removed; false otherwise.</returns>
    public bool RemoveCertificate(string tenantId, string clientId, X509Certificate2 certificate)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        ArgumentNullException.ThrowIfNull(certificate);
        return _registry.RemoveCertificate(tenantId, clientId, certificate);
    }

    /// <summary>
    /// Sets what the access tokens issued from now on to an application carry: their lifetime, roles and further
    /// claims (the settings are copied; call again to change them). The application must be registered
    /// (<see cref="RegisterApplication"/>).
    /// </summary>
    /// <param name="tenantId">The tenant the application is registered in.</param>
    /// <param name="clientId">The application (client) ID.</param>
    /// <param name="settings">The settings; <c>new AccessTokenSettings()</c> restores the defaults.</param>
    /// <exception cref="ArgumentException">The settings are invalid (the message says which one).</exception>
    /// <exception cref="InvalidOperationException">The application is not registered in the tenant.</exception>
    public void ConfigureAccessTokens(string tenantId, string clientId, AccessTokenSettings settings)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate(nameof(settings));
        if (!_registry.TryGetTenant(tenantId, out var tenant) || !_registry.TryGetApplication(tenant, clientId, out var application))
        {
            throw new InvalidOperationException(
                $"No application '{clientId}' is registered in the tenant '{tenantId}': call RegisterApplication first.");
        }

        application.TokenSettings = settings.Snapshot();
    }

    /// <summary>
    /// Makes an access token directly, without a token request, as the token endpoint would issue it: signed by
    /// <see cref="SigningKey"/>, issuer <see cref="GetIssuer"/>, audience <paramref name="resource"/>. For tests of an
    /// API that validates such tokens (an expired one: an <paramref name="issuedAt"/> in the past). The application
    /// need not be registered. Not recorded in <see cref="Requests"/>.
    /// </summary>
    /// <param name="tenantId">The tenant (<c>tid</c>, and the issuer's path).</param>
    /// <param name="clientId">The application (<c>appid</c>, <c>azp</c>).</param>
    /// <param name="resource">The audience, e.g. <c>https://graph.microsoft.com</c> or <c>api://my-api</c>.</param>
    /// <param name="settings">
    /// Lifetime, roles and claims; null for those set by <see cref="ConfigureAccessTokens"/> for a registered
    /// application, else the defaults.
    /// </param>
    /// <param name="issuedAt">The <c>iat</c> and <c>nbf</c>; null for now on <see cref="TimeProvider"/>.</param>
    /// <returns>The access token (a compact JWS).</returns>
    /// <exception cref="ArgumentException">The settings are invalid (the message says which one).</exception>
    public string CreateAccessToken(
        string tenantId,
        string clientId,
        string resource,
        AccessTokenSettings? settings = null,
        DateTimeOffset? issuedAt = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        ArgumentException.ThrowIfNullOrEmpty(resource);
        settings?.Validate(nameof(settings));
        var tenant = _registry.TryGetTenant(tenantId, out var canonical) ? canonical : tenantId;
        var application = _registry.TryGetApplication(tenant, clientId, out var registered)
            ? registered
            : new RegisteredApplication(tenant, clientId);
        settings ??= application.TokenSettings;
        var grant = new TokenGrant(tenant, application, RegisteredApplication.NormalizeResource(resource), ClientCapableOfCae: false);
        var lifetime = settings?.Lifetime ?? _options.AccessTokenLifetime;
        return _issuer.Issue(grant, GetIssuer(tenant), issuedAt ?? _options.TimeProvider.GetUtcNow(), lifetime, settings);
    }

    /// <summary>
    /// Emulates a key provider that cannot do PSS: PS256 assertions of this application are refused with
    /// AADSTS5002730.
    /// </summary>
    public void RefusePss(string clientId)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        _registry.RefusePss(clientId);
    }

    /// <summary>Queues a fault for the next token request(s), in order (<see cref="TokenFault.Times"/> each).</summary>
    public void EnqueueFault(TokenFault fault) => _faults.Enqueue(fault);

    /// <summary>Forgets the recorded requests (<see cref="TokenRequestCount"/> is kept).</summary>
    public void ClearRequests() => _requests.Clear();

    /// <summary>
    /// Continuous access evaluation: the tokens issued to this application before now are revoked. A
    /// <see cref="LocalProtectedApi"/> then answers a revoked token that carries the <c>cp1</c> client capability with
    /// an <c>insufficient_claims</c> challenge; tokens issued afterwards are accepted.
    /// </summary>
    public void RevokeTokens(string clientId)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        _registry.Revoke(clientId, new Revocation(_issuer.NextSequence(), _options.TimeProvider.GetUtcNow().ToUnixTimeSeconds()));
    }

    /// <summary>
    /// Validation parameters for a protected API that accepts this service's tokens: signature by
    /// <see cref="SigningKey"/> (RS256), issuer <see cref="GetIssuer"/>, the audience (trailing slash ignored) and
    /// the lifetime with zero clock skew on the service's clock (valid from <c>nbf</c> until before <c>exp</c>).
    /// </summary>
    public TokenValidationParameters CreateValidationParameters(string tenant, string audience)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenant);
        ArgumentException.ThrowIfNullOrEmpty(audience);
        var timeProvider = _options.TimeProvider;
        var issuer = GetIssuer(_registry.TryGetTenant(tenant, out var canonical) ? canonical : tenant);
        return new TokenValidationParameters
        {
            ValidIssuers = issuer == GetIssuer(tenant) ? [issuer] : [issuer, GetIssuer(tenant)],
            ValidAudience = RegisteredApplication.NormalizeResource(audience),
            IgnoreTrailingSlashWhenValidatingAudience = true,
            IssuerSigningKey = _issuer.SigningKey,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.Zero,
            LifetimeValidator = (notBefore, expires, _, _) =>
            {
                var now = timeProvider.GetUtcNow().UtcDateTime;
                return expires is { } exp && now < exp && (notBefore is not { } nbf || nbf <= now);
            },
            NameClaimType = "appid",
        };
    }

    /// <summary>Stops the service.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _app.StopAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Not started, or a stop that timed out: nothing more to do.
        }

        await _app.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    internal bool TryGetRevocation(string clientId, out Revocation revocation) =>
        _registry.TryGetRevocation(clientId, out revocation);

    internal string GetAuthority() => _authority;

    private string GetTokenEndpointString(string tenant)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenant);
        return $"{_authority}/{tenant}/oauth2/v2.0/token";
    }

    private async Task HandleTokenRequestAsync(HttpContext context)
    {
        Interlocked.Increment(ref _tokenRequestCount);
        var receivedAt = _options.TimeProvider.GetUtcNow();
        var fault = _faults.TryTake() ?? PersistentFault;
        var tenant = context.Request.RouteValues["tenant"] as string ?? string.Empty;
        var headers = CopyHeaders(context.Request.Headers);
        IReadOnlyDictionary<string, string> form = new Dictionary<string, string>(StringComparer.Ordinal);
        JsonWebToken? assertion = null;
        var recorded = false;
        void Record(int statusCode, string? error, IReadOnlyList<int> errorCodes)
        {
            if (!recorded)
            {
                recorded = true;
                _requests.Add(new RecordedTokenRequest(receivedAt, tenant, form, headers, assertion, statusCode, error, errorCodes));
            }
        }

        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        try
        {
            form = await ReadFormAsync(context.Request, aborted.Token).ConfigureAwait(false);
            assertion = TryParseJwt(form.GetValueOrDefault("client_assertion"));
            var delay = _options.ResponseDelay + (fault?.Delay ?? TimeSpan.Zero);
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, aborted.Token).ConfigureAwait(false);
            }

            var traceId = Guid.NewGuid().ToString();
            var answer = fault is not null
                ? PrepareFault(context, fault, traceId)
                : PrepareAnswer(context, tenant, form, assertion, traceId);
            Record(answer.StatusCode, answer.Error, answer.ErrorCodes);
            EntraResponses.WriteCommonHeaders(context, traceId);
            await WriteAsync(context, answer, aborted.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client went away (or the service is stopping): nothing more can be answered.
            Record(499, null, []);
            context.Abort();
        }
        catch
        {
            Record(500, null, []);
            throw;
        }
    }

    private PreparedAnswer PrepareAnswer(
        HttpContext context,
        string tenant,
        IReadOnlyDictionary<string, string> form,
        JsonWebToken? assertion,
        string traceId)
    {
        var requestUrl = $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}{context.Request.Path}";
        var canonicalUrl = GetTokenEndpointString(tenant);
        string[] audiences = requestUrl == canonicalUrl ? [requestUrl] : [requestUrl, canonicalUrl];
        var refusal = _validator.Validate(tenant, form, assertion, audiences, out var grant);
        var now = _options.TimeProvider.GetUtcNow();
        if (refusal is not null)
        {
            var error = EntraResponses.CreateErrorBody(refusal, traceId, EntraResponses.GetCorrelationId(context), now, _authority);
            return new PreparedAnswer(refusal.StatusCode, EntraResponses.JsonContentType, error, refusal.Error, [refusal.Code]);
        }

        var settings = grant!.Application.TokenSettings;
        var lifetime = settings?.Lifetime ?? _options.AccessTokenLifetime;
        var accessToken = _issuer.Issue(grant, GetIssuer(grant.Tenant), now, lifetime, settings);
        var body = EntraResponses.CreateSuccessBody(accessToken, lifetime, _options);
        return new PreparedAnswer(200, EntraResponses.JsonContentType, body, null, []);
    }

    private PreparedAnswer PrepareFault(HttpContext context, TokenFault fault, string traceId)
    {
        if (fault.RetryAfter is not null)
        {
            context.Response.Headers.RetryAfter = fault.RetryAfter;
        }

        var contentType = fault.ContentType ?? EntraResponses.JsonContentType;
        if (fault.Body is null && fault.StatusCode >= 400)
        {
            var error = TokenError.ForFault(fault.StatusCode);
            var body = EntraResponses.CreateErrorBody(
                error, traceId, EntraResponses.GetCorrelationId(context), _options.TimeProvider.GetUtcNow(), _authority);
            return new PreparedAnswer(fault.StatusCode, contentType, body, error.Error, [error.Code], fault.ResetConnection);
        }

        var verbatim = fault.Body is null ? [] : Encoding.UTF8.GetBytes(fault.Body);
        if (fault.ResetConnection && verbatim.Length < 2)
        {
            verbatim = Encoding.UTF8.GetBytes("{\"token_type\":\"Bearer\",\"expires_in\":3599,\"access_token\":\"");
        }

        return new PreparedAnswer(fault.StatusCode, contentType, verbatim, null, [], fault.ResetConnection);
    }

    private static async Task WriteAsync(HttpContext context, PreparedAnswer answer, CancellationToken cancellationToken)
    {
        var response = context.Response;
        response.StatusCode = answer.StatusCode;
        response.ContentType = answer.ContentType;
        response.ContentLength = answer.Body.Length;
        if (!answer.ResetConnection)
        {
            await response.Body.WriteAsync(answer.Body, cancellationToken).ConfigureAwait(false);
            return;
        }

        // Headers (with the whole Content-Length) and half of the body, then a broken connection.
        await response.Body.WriteAsync(answer.Body.AsMemory(0, answer.Body.Length / 2), cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
        context.Abort();
    }

    private async Task HandleOpenIdConfigurationAsync(HttpContext context)
    {
        var tenant = context.Request.RouteValues["tenant"] as string ?? string.Empty;
        var now = _options.TimeProvider.GetUtcNow();
        var traceId = Guid.NewGuid().ToString();
        var multiTenant = TokenRequestValidator.IsMultiTenantAlias(tenant);
        if (!multiTenant && !_registry.TryGetTenant(tenant, out _))
        {
            var refusal = TokenError.BadRequest(TokenError.InvalidRequest, 90002, $"Tenant '{tenant}' not found.");
            var body = EntraResponses.CreateErrorBody(refusal, traceId, EntraResponses.GetCorrelationId(context), now, _authority);
            await EntraResponses.WriteAsync(context, 400, EntraResponses.JsonContentType, body).ConfigureAwait(false);
            return;
        }

        var issuerTenant = multiTenant ? "{tenantid}" : tenant;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, EntraResponses.JsonWriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("token_endpoint", GetTokenEndpointString(tenant));
            WriteStrings(json, "token_endpoint_auth_methods_supported", "client_secret_post", "private_key_jwt", "client_secret_basic");
            json.WriteString("jwks_uri", $"{_authority}/{tenant}/discovery/v2.0/keys");
            WriteStrings(json, "response_modes_supported", "query", "fragment", "form_post");
            WriteStrings(json, "subject_types_supported", "pairwise");
            WriteStrings(json, "id_token_signing_alg_values_supported", "RS256");
            WriteStrings(json, "response_types_supported", "code", "id_token", "code id_token", "id_token token");
            WriteStrings(json, "scopes_supported", "openid", "profile", "email", "offline_access");
            json.WriteString("issuer", $"{_authority}/{issuerTenant}/v2.0");
            json.WriteBoolean("request_uri_parameter_supported", false);
            json.WriteString("authorization_endpoint", $"{_authority}/{tenant}/oauth2/v2.0/authorize");
            json.WriteString("end_session_endpoint", $"{_authority}/{tenant}/oauth2/v2.0/logout");
            json.WriteString("tenant_region_scope", "EU");
            json.WriteString("cloud_instance_name", BaseAddress.Authority);
            json.WriteString("cloud_graph_host_name", "graph.windows.net");
            json.WriteString("msgraph_host", "graph.microsoft.com");
            json.WriteEndObject();
        }

        await EntraResponses.WriteAsync(context, 200, EntraResponses.JsonContentType, buffer.ToArray()).ConfigureAwait(false);
    }

    private async Task HandleKeysAsync(HttpContext context)
    {
        var key = _issuer.JsonWebKey;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, EntraResponses.JsonWriterOptions))
        {
            json.WriteStartObject();
            json.WriteStartArray("keys");
            json.WriteStartObject();
            json.WriteString("kty", key.Kty);
            json.WriteString("use", key.Use);
            json.WriteString("kid", key.Kid);
            json.WriteString("alg", key.Alg);
            json.WriteString("n", key.N);
            json.WriteString("e", key.E);
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        await EntraResponses.WriteAsync(context, 200, EntraResponses.JsonContentType, buffer.ToArray()).ConfigureAwait(false);
    }

    private async Task HandleInstanceDiscoveryAsync(HttpContext context)
    {
        var host = BaseAddress.Authority;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, EntraResponses.JsonWriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("tenant_discovery_endpoint", $"{_authority}/common/v2.0/.well-known/openid-configuration");
            json.WriteString("api-version", "1.1");
            json.WriteStartArray("metadata");
            json.WriteStartObject();
            json.WriteString("preferred_network", host);
            json.WriteString("preferred_cache", host);
            WriteStrings(json, "aliases", host);
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        await EntraResponses.WriteAsync(context, 200, EntraResponses.JsonContentType, buffer.ToArray()).ConfigureAwait(false);
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, params string[] values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    private static async Task<IReadOnlyDictionary<string, string>> ReadFormAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!request.HasFormContentType)
        {
            return result;
        }

        try
        {
            var form = await request.ReadFormAsync(cancellationToken).ConfigureAwait(false);
            foreach (var field in form)
            {
                result[field.Key] = field.Value.ToString();
            }
        }
        catch (InvalidDataException)
        {
            // A malformed body is answered as a body without the required fields.
        }

        return result;
    }

    private static Dictionary<string, string> CopyHeaders(IHeaderDictionary headers)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in headers)
        {
            result[header.Key] = string.Join(", ", header.Value.ToArray());
        }

        return result;
    }

    private static JsonWebToken? TryParseJwt(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        try
        {
            return new JsonWebToken(value);
        }
        catch (ArgumentException)
        {
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
