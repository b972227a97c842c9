using System.Text.Json;
using CertCredentials.Testing.Apis;
using CertCredentials.Testing.Hosting;

namespace CertCredentials.Testing;

/// <summary>
/// A protected API (a resource) that accepts the access tokens of a <see cref="LocalTokenService"/>, on Kestrel at
/// 127.0.0.1. Endpoints:
/// <list type="bullet">
/// <item><c>GET /hello</c>: 200 with <c>{"appId","tenantId","roles","message"}</c> for a valid bearer token.</item>
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
    private readonly BearerAuthenticator _authenticator;
    private int _disposed;

    private LocalProtectedApi(LocalTokenService issuer, string tenant, string audience, LocalProtectedApiOptions options)
    {
        _issuer = issuer;
        Tenant = tenant;
        Audience = audience;
        _authenticator = new BearerAuthenticator(issuer, tenant, audience);
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
    public void RejectNextWithInvalidToken(int count) => _authenticator.RejectNext(count);

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

        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["appId"] = caller.AppId,
            ["tenantId"] = caller.TenantId,
            ["roles"] = caller.Roles,
            ["message"] = $"Hello, {caller.AppId}.",
        });
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
        context.Response.StatusCode = 200;
        context.Response.ContentType = context.Request.ContentType ?? "application/octet-stream";
        context.Response.ContentLength = buffer.Length;
        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).ConfigureAwait(false);
    }

    private void HandleRedirect(HttpContext context)
    {
        var to = context.Request.Query["to"].ToString();
        var token = _authenticator.Inspect(context.Request);
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

    /// <summary>Checks the bearer token; answers the 401 and returns null when it is refused.</summary>
    private async Task<Caller?> AuthenticateAsync(HttpContext context)
    {
        var check = await _authenticator.AuthenticateAsync(context.Request).ConfigureAwait(false);
        switch (check.Outcome)
        {
            case BearerOutcome.Accepted:
                Record(context, check.Token, 200, null);
                return check.Caller;
            case BearerOutcome.Revoked:
                Record(context, check.Token, 401, "insufficient_claims");
                context.Response.Headers.WWWAuthenticate = BearerChallenges.InsufficientClaims(
                    $"{_issuer.GetAuthority()}/{Tenant}/oauth2/v2.0/authorize", check.Revocation!);
                await GraphErrorBody.WriteAsync(context, 401, "InvalidAuthenticationToken", BearerChallenges.RevokedMessage, Now()).ConfigureAwait(false);
                return null;
            default:
                Record(context, check.Token, 401, "invalid_token");
                context.Response.Headers.WWWAuthenticate = BearerChallenges.InvalidToken(check.Reason!);
                await GraphErrorBody.WriteAsync(context, 401, "InvalidAuthenticationToken", check.Reason!, Now()).ConfigureAwait(false);
                return null;
        }
    }

    private DateTimeOffset Now() => _issuer.TimeProvider.GetUtcNow();

    private void Record(HttpContext context, PresentedToken token, int statusCode, string? error) =>
        _requests.Add(new RecordedApiRequest(
            Now(),
            context.Request.Method,
            context.Request.Path.Value ?? string.Empty,
            token.HadAuthorization,
            token.Valid,
            token.Expired,
            token.Id,
            statusCode,
            error));
}
