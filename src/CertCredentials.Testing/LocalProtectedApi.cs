using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CertCredentials.Testing;

/// <summary>
/// A protected API (a resource) that accepts the access tokens of a <see cref="LocalTokenService"/>, on Kestrel at
/// 127.0.0.1. Endpoints:
/// <list type="bullet">
/// <item><c>GET /hello</c>: 200 with <c>{"appId","tenantId","message"}</c> for a valid bearer token.</item>
/// <item><c>POST /echo</c>: 200 with the request body (same content type) for a valid bearer token.</item>
/// <item><c>GET /redirect?to=&lt;absolute url&gt;</c>: 302 to that URL, no token needed.</item>
/// </list>
/// A missing, invalid or expired token gets 401 with <c>WWW-Authenticate: Bearer error="invalid_token"</c>; a CAE
/// capable (<c>xms_cc</c> <c>cp1</c>) token of an application revoked with
/// <see cref="LocalTokenService.RevokeTokens"/> and issued before the revocation gets an <c>insufficient_claims</c>
/// challenge, as Microsoft Graph does. Every request is recorded. All members are thread-safe.
/// </summary>
public sealed class LocalProtectedApi : IAsyncDisposable
{
    private readonly LocalTokenService _issuer;
    private readonly WebApplication _app;
    private readonly BoundedLog<RecordedApiRequest> _requests;
    private readonly JsonWebTokenHandler _handler = new();
    private readonly TokenValidationParameters _validationParameters;
    private int _rejectNext;
    private int _disposed;

    private LocalProtectedApi(LocalTokenService issuer, string tenant, string audience, LocalProtectedApiOptions options)
    {
        _issuer = issuer;
        Tenant = tenant;
        Audience = audience;
        _validationParameters = issuer.CreateValidationParameters(tenant, audience);
        _requests = new BoundedLog<RecordedApiRequest>(options.MaxRecordedRequests);
        _app = LoopbackHost.Create(options.Port, options.HttpsCertificate);
        _app.MapGet("/hello", HandleHelloAsync);
        _app.MapPost("/echo", HandleEchoAsync);
        _app.MapGet("/redirect", HandleRedirect);
    }

    /// <summary>The API's address, e.g. <c>http://127.0.0.1:54322</c> (no path).</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The tenant whose tokens the API accepts.</summary>
    public string Tenant { get; }

    /// <summary>The audience the API accepts (a resource registered in the token service).</summary>
    public string Audience { get; }

    /// <summary>A snapshot of the recorded requests, oldest first.</summary>
    public IReadOnlyList<RecordedApiRequest> Requests => _requests.Snapshot();

    /// <summary>Starts a protected API on 127.0.0.1.</summary>
    /// <param name="issuer">The token service whose tokens the API accepts (key, issuer, clock, revocations).</param>
    /// <param name="tenant">The tenant whose tokens the API accepts.</param>
    /// <param name="audience">The audience the API accepts, e.g. <c>https://graph.microsoft.com</c>.</param>
    /// <param name="options">Settings; defaults when null.</param>
    /// <returns>The started API; dispose it to stop it.</returns>
    public static async Task<LocalProtectedApi> StartAsync(
        LocalTokenService issuer,
        string tenant,
        string audience,
        LocalProtectedApiOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentException.ThrowIfNullOrEmpty(tenant);
        ArgumentException.ThrowIfNullOrEmpty(audience);
        var api = new LocalProtectedApi(issuer, tenant, audience, options ?? new LocalProtectedApiOptions());
        try
        {
            await api._app.StartAsync().ConfigureAwait(false);
            api.BaseAddress = LoopbackHost.GetBaseAddress(api._app);
            return api;
        }
        catch
        {
            await api.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Answers the next <paramref name="count"/> requests that carry a valid token with 401 <c>invalid_token</c>, as a
    /// resource that rejects a token does.
    /// </summary>
    public void RejectNextWithInvalidToken(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Volatile.Write(ref _rejectNext, count);
    }

    /// <summary>Forgets the recorded requests.</summary>
    public void ClearRequests() => _requests.Clear();

    /// <summary>Stops the API.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await LoopbackHost.StopAsync(_app).ConfigureAwait(false);
    }

    private async Task HandleHelloAsync(HttpContext context)
    {
        var caller = await AuthenticateAsync(context).ConfigureAwait(false);
        if (caller is null)
        {
            return;
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["appId"] = caller.AppId,
            ["tenantId"] = caller.TenantId,
            ["message"] = $"Hello, {caller.AppId}.",
        });
        Record(context, caller.Recorded, 200, null);
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    private async Task HandleEchoAsync(HttpContext context)
    {
        var caller = await AuthenticateAsync(context).ConfigureAwait(false);
        if (caller is null)
        {
            return;
        }

        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        Record(context, caller.Recorded, 200, null);
        context.Response.StatusCode = 200;
        context.Response.ContentType = context.Request.ContentType ?? "application/octet-stream";
        context.Response.ContentLength = buffer.Length;
        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).ConfigureAwait(false);
    }

    private void HandleRedirect(HttpContext context)
    {
        var to = context.Request.Query["to"].ToString();
        var token = Inspect(context);
        if (!Uri.TryCreate(to, UriKind.Absolute, out var target))
        {
            Record(context, token, 400, null);
            context.Response.StatusCode = 400;
            return;
        }

        Record(context, token, 302, null);
        context.Response.StatusCode = 302;
        context.Response.Headers.Location = target.AbsoluteUri;
    }

    /// <summary>Validates the bearer token; answers the 401 and returns null when it is refused.</summary>
    private async Task<Caller?> AuthenticateAsync(HttpContext context)
    {
        var token = Inspect(context);
        if (token.Raw is null)
        {
            await ChallengeInvalidTokenAsync(context, token, token.HadAuthorization
                ? "The Authorization header is not a Bearer token."
                : "No access token was presented.").ConfigureAwait(false);
            return null;
        }

        var result = await _handler.ValidateTokenAsync(token.Raw, _validationParameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            var reason = token.Expired
                ? "The token is expired."
                : $"The token is not valid: {result.Exception?.GetType().Name ?? "validation failed"}.";
            await ChallengeInvalidTokenAsync(context, token, reason).ConfigureAwait(false);
            return null;
        }

        token = token with { Valid = true };
        var jwt = (JsonWebToken)result.SecurityToken;
        var appId = jwt.TryGetPayloadValue<string>("appid", out var a) ? a : string.Empty;
        var tenantId = jwt.TryGetPayloadValue<string>("tid", out var t) ? t : string.Empty;
        var capable = jwt.Claims.Any(c => c.Type == "xms_cc" && c.Value == "cp1");
        if (capable
            && _issuer.TryGetRevocation(appId, out var revocation)
            && (!jwt.TryGetPayloadValue<long>(AccessTokenIssuer.SequenceClaim, out var sequence) || sequence < revocation.Sequence))
        {
            await ChallengeInsufficientClaimsAsync(context, token, revocation).ConfigureAwait(false);
            return null;
        }

        if (TryConsumeRejection())
        {
            await ChallengeInvalidTokenAsync(context, token, "The token was rejected by the resource.").ConfigureAwait(false);
            return null;
        }

        return new Caller(appId, tenantId, token);
    }

    private bool TryConsumeRejection()
    {
        while (true)
        {
            var current = Volatile.Read(ref _rejectNext);
            if (current <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _rejectNext, current - 1, current) == current)
            {
                return true;
            }
        }
    }

    private TokenInspection Inspect(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        var hadAuthorization = context.Request.Headers.ContainsKey("Authorization");
        const string Scheme = "Bearer ";
        if (!authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return new TokenInspection(hadAuthorization, null, false, null);
        }

        var raw = authorization[Scheme.Length..].Trim();
        try
        {
            var jwt = new JsonWebToken(raw);
            var id = jwt.TryGetPayloadValue<string>("uti", out var uti) ? uti : jwt.Id;
            var expired = jwt.TryGetPayloadValue<long>("exp", out var exp)
                && _issuer.TimeProvider.GetUtcNow().ToUnixTimeSeconds() >= exp;
            return new TokenInspection(hadAuthorization, raw, expired, string.IsNullOrEmpty(id) ? null : id);
        }
        catch (ArgumentException)
        {
            return new TokenInspection(hadAuthorization, raw, false, null);
        }
    }

    private async Task ChallengeInvalidTokenAsync(HttpContext context, TokenInspection token, string description)
    {
        Record(context, token, 401, "invalid_token");
        context.Response.StatusCode = 401;
        context.Response.Headers.WWWAuthenticate =
            $"Bearer error=\"invalid_token\", error_description=\"{description.Replace("\"", "'", StringComparison.Ordinal)}\"";
        await WriteGraphErrorAsync(context, "InvalidAuthenticationToken", description).ConfigureAwait(false);
    }

    private async Task ChallengeInsufficientClaimsAsync(HttpContext context, TokenInspection token, Revocation revocation)
    {
        Record(context, token, 401, "insufficient_claims");
        var claims = $"{{\"access_token\":{{\"nbf\":{{\"essential\":true,\"value\":\"{revocation.UnixTime}\"}}}}}}";
        var authorizationUri = $"{_issuer.GetAuthority()}/{Tenant}/oauth2/v2.0/authorize";
        context.Response.StatusCode = 401;
        context.Response.Headers.WWWAuthenticate =
            $"Bearer realm=\"\", authorization_uri=\"{authorizationUri}\", error=\"insufficient_claims\", claims=\"{Convert.ToBase64String(Encoding.UTF8.GetBytes(claims))}\"";
        await WriteGraphErrorAsync(context, "InvalidAuthenticationToken",
            "Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp").ConfigureAwait(false);
    }

    private static async Task WriteGraphErrorAsync(HttpContext context, string code, string message)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, Dictionary<string, string>>
        {
            ["error"] = new() { ["code"] = code, ["message"] = message },
        });
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    private void Record(HttpContext context, TokenInspection token, int statusCode, string? error) =>
        _requests.Add(new RecordedApiRequest(
            _issuer.TimeProvider.GetUtcNow(),
            context.Request.Method,
            context.Request.Path.Value ?? string.Empty,
            token.HadAuthorization,
            token.Valid,
            token.Expired,
            token.Id,
            statusCode,
            error));

    private sealed record TokenInspection(bool HadAuthorization, string? Raw, bool Expired, string? Id)
    {
        public bool Valid { get; init; }
    }

    private sealed record Caller(string AppId, string TenantId, TokenInspection Recorded);
}
