using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using CertCredentials.Testing.Apis;
using CertCredentials.Testing.Graph;
using CertCredentials.Testing.Hosting;
using CertCredentials.Testing.TokenService;

namespace CertCredentials.Testing;

/// <summary>
/// A Microsoft Graph-shaped protected API on Kestrel at 127.0.0.1 over HTTPS, accepting the access tokens of a
/// <see cref="LocalTokenService"/> for <c>https://graph.microsoft.com</c>: enough of Graph v1.0 for the real
/// <c>GraphServiceClient</c> (give it <see cref="ServiceRoot"/> as its base URL and an HttpClient over
/// <see cref="CreateHttpMessageHandler"/>). Served:
/// <list type="bullet">
/// <item><c>GET /v1.0/organization</c> and <c>GET /v1.0/organization/{id}</c>: the tenant's organization.</item>
/// <item><c>GET /v1.0/users</c> (pages of 100, or <c>$top</c>, with <c>@odata.nextLink</c>) and
/// <c>GET /v1.0/users/{id or userPrincipalName}</c>: the users of <see cref="LocalGraphApiOptions.Users"/>.</item>
/// <item><c>$select</c> on each; other query options (<c>$filter</c>, <c>$orderby</c>...) are refused with 400
/// <c>Request_UnsupportedQuery</c>, not ignored.</item>
/// </list>
/// Answers have Graph's shapes: <c>@odata.context</c>, <c>value</c> arrays, the default properties (null when not
/// set), <c>request-id</c>/<c>client-request-id</c> headers and Graph's error body
/// <c>{"error":{"code","message","innerError":{...}}}</c>. A missing, invalid or expired token gets 401
/// <c>InvalidAuthenticationToken</c> with <c>WWW-Authenticate: Bearer realm="", authorization_uri="...",
/// client_id="00000003-0000-0000-c000-000000000000", error="invalid_token", ...</c>; a CAE-capable
/// (<c>xms_cc</c> <c>cp1</c>) token of an application revoked with <see cref="LocalTokenService.RevokeTokens"/>
/// and issued before the revocation gets the claims challenge Graph sends
/// (<c>error="insufficient_claims", claims="..."</c>). Every request is recorded. All members are thread-safe.
/// </summary>
public sealed class LocalGraphApi : IAsyncDisposable
{
    /// <summary>The resource (audience) of Microsoft Graph.</summary>
    public const string DefaultResource = "https://graph.microsoft.com";

    private const int DefaultPageSize = 100;
    private const string GraphApplicationId = "00000003-0000-0000-c000-000000000000";
    private const string ODataContentType =
        "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

    private readonly LocalTokenService _issuer;
    private readonly WebApplication _app;
    private readonly BoundedLog<RecordedApiRequest> _requests;
    private readonly BearerAuthenticator _authenticator;
    private readonly GraphDirectory _directory;
    private readonly bool _requirePermissions;
    private int _disposed;

    private LocalGraphApi(LocalTokenService issuer, string tenant, LocalGraphApiOptions options)
    {
        _issuer = issuer;
        Tenant = tenant;
        Resource = options.Resource;
        HttpsCertificate = options.HttpsCertificate ?? LoopbackHttpsCertificate.Get();
        _requirePermissions = options.RequireApplicationPermissions;
        _directory = new GraphDirectory(tenant, options);
        _authenticator = new BearerAuthenticator(issuer, tenant, options.Resource);
        _requests = new BoundedLog<RecordedApiRequest>(options.MaxRecordedRequests);
        _app = LoopbackHost.Create(options.Port, HttpsCertificate);
        _app.Run(HandleAsync);
    }

    /// <summary>The API's address, e.g. <c>https://127.0.0.1:54323/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>
    /// The v1.0 service root, e.g. <c>https://127.0.0.1:54323/v1.0</c>: the base URL to give
    /// <c>GraphServiceClient</c> (<c>ServiceRoot.AbsoluteUri</c>) in place of <c>https://graph.microsoft.com/v1.0</c>.
    /// </summary>
    public Uri ServiceRoot { get; private set; } = null!;

    /// <summary>The tenant whose tokens the API accepts and whose organization it serves.</summary>
    public string Tenant { get; }

    /// <summary>The resource (audience) the API accepts.</summary>
    public string Resource { get; }

    /// <summary>The organization's <c>id</c>: the tenant when it is a GUID, else a GUID derived from the tenant's name.</summary>
    public string OrganizationId => _directory.OrganizationId;

    /// <summary>The certificate the API serves HTTPS with (trust it, or use <see cref="CreateHttpMessageHandler"/>).</summary>
    public X509Certificate2 HttpsCertificate { get; }

    /// <summary>A snapshot of the recorded requests, oldest first (paths with the <c>/v1.0</c> prefix, without the query).</summary>
    public IReadOnlyList<RecordedApiRequest> Requests => _requests.Snapshot();

    /// <summary>Starts a Graph-shaped API on 127.0.0.1 over HTTPS.</summary>
    /// <param name="issuer">The token service whose tokens the API accepts (key, issuer, clock, revocations).</param>
    /// <param name="tenantId">The tenant whose tokens the API accepts.</param>
    /// <param name="options">Settings; defaults when null.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The started API; dispose it to stop it.</returns>
    public static async Task<LocalGraphApi> StartAsync(
        LocalTokenService issuer,
        string tenantId,
        LocalGraphApiOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        options ??= new LocalGraphApiOptions();
        ArgumentException.ThrowIfNullOrEmpty(options.Resource, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRecordedRequests, nameof(options));
        if (options.Users?.Any(u => u is null) == true)
        {
            throw new ArgumentException("Users contains a null entry.", nameof(options));
        }

        var api = new LocalGraphApi(issuer, tenantId, options);
        try
        {
            await api._app.StartAsync(cancellationToken).ConfigureAwait(false);
            var port = LoopbackHost.GetBaseAddress(api._app).Port;
            api.BaseAddress = new Uri($"https://127.0.0.1:{port}/");
            api.ServiceRoot = new Uri($"https://127.0.0.1:{port}/v1.0");
            return api;
        }
        catch
        {
            await api.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// A handler whose TLS trusts this API's HTTPS certificate and no other, for an HttpClient (or as the final
    /// handler of Graph's own pipeline: <c>GraphClientFactory.Create(finalHandler: api.CreateHttpMessageHandler())</c>).
    /// The caller disposes it.
    /// </summary>
    public HttpMessageHandler CreateHttpMessageHandler() => LoopbackHttpsCertificate.CreateTrustingHandler(HttpsCertificate);

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

    private DateTimeOffset Now() => _issuer.TimeProvider.GetUtcNow();

    private async Task HandleAsync(HttpContext context)
    {
        GraphErrorBody.GetOrCreateRequestId(context);
        var check = await _authenticator.AuthenticateAsync(context.Request).ConfigureAwait(false);
        switch (check.Outcome)
        {
            case BearerOutcome.Revoked:
                Record(context, check.Token, 401, "insufficient_claims");
                context.Response.Headers.WWWAuthenticate = BearerChallenges.InsufficientClaims(
                    $"{_issuer.GetAuthority()}/{Tenant}/oauth2/v2.0/authorize", check.Revocation!);
                await GraphErrorBody.WriteAsync(context, 401, "InvalidAuthenticationToken", BearerChallenges.RevokedMessage, Now()).ConfigureAwait(false);
                return;
            case BearerOutcome.Invalid:
                var message = check.Token.Raw is null ? "Access token is empty."
                    : check.Token.Expired ? "Lifetime validation failed, the token is expired."
                    : $"Access token validation failure. {check.Reason}";
                Record(context, check.Token, 401, "invalid_token");
                context.Response.Headers.WWWAuthenticate = BearerChallenges.InvalidToken(
                    message, $"realm=\"\", authorization_uri=\"{_issuer.GetAuthority()}/common/oauth2/authorize\", client_id=\"{GraphApplicationId}\"");
                await GraphErrorBody.WriteAsync(context, 401, "InvalidAuthenticationToken", message, Now()).ConfigureAwait(false);
                return;
        }

        var answer = Answer(context.Request, check.Caller!, out var refusal);
        if (refusal is not null)
        {
            Record(context, check.Token, refusal.StatusCode, null);
            await GraphErrorBody.WriteAsync(context, refusal.StatusCode, refusal.Code, refusal.Message, Now()).ConfigureAwait(false);
            return;
        }

        Record(context, check.Token, 200, null);
        context.Response.StatusCode = 200;
        context.Response.ContentType = ODataContentType;
        context.Response.ContentLength = answer!.Length;
        await context.Response.Body.WriteAsync(answer, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The body of a 200 answer, or null and the refusal.</summary>
    private byte[]? Answer(HttpRequest request, Caller caller, out GraphRefusal? refusal)
    {
        var segments = (request.Path.Value ?? string.Empty).Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0 || !string.Equals(segments[0], "v1.0", StringComparison.OrdinalIgnoreCase))
        {
            refusal = GraphRefusal.BadRequest("BadRequest", $"Invalid version: {(segments.Length == 0 ? string.Empty : segments[0])}");
            return null;
        }

        var set = segments.Length > 1 ? segments[1] : string.Empty;
        var isOrganization = set.Equals("organization", StringComparison.OrdinalIgnoreCase);
        if (segments.Length is < 2 or > 3 || !(isOrganization || set.Equals("users", StringComparison.OrdinalIgnoreCase)))
        {
            refusal = GraphRefusal.SegmentNotFound(segments.Length > 3 ? segments[3] : set);
            return null;
        }

        if (!HttpMethods.IsGet(request.Method))
        {
            refusal = GraphRefusal.MethodNotAllowed();
            return null;
        }

        if (_requirePermissions
            && !GraphPermissions.Allows(caller.Roles, isOrganization ? GraphPermissions.ReadOrganization : GraphPermissions.ReadUsers))
        {
            refusal = GraphRefusal.Forbidden();
            return null;
        }

        var query = GraphQuery.Parse(request.Query, out refusal);
        if (query is null)
        {
            return null;
        }

        var type = isOrganization ? "organization" : "user";
        var entitySet = isOrganization ? "organization" : "users";
        if (segments.Length == 3)
        {
            var id = Uri.UnescapeDataString(segments[2]);
            var entity = isOrganization
                ? (string.Equals(id, _directory.OrganizationId, StringComparison.OrdinalIgnoreCase) ? _directory.Organization() : null)
                : _directory.FindUser(id);
            if (entity is null)
            {
                refusal = GraphRefusal.NotFound(id);
                return null;
            }

            return Select(entity, query, type, out refusal) is { } selected
                ? WriteEntity(ContextUrl(entitySet, query) + "/$entity", selected)
                : null;
        }

        List<JsonObject> items;
        string? nextLink = null;
        if (isOrganization)
        {
            items = [_directory.Organization()];
        }
        else
        {
            var pageSize = query.Top ?? DefaultPageSize;
            items = [.. _directory.Users(query.Skip, pageSize)];
            if (query.Skip + pageSize < _directory.UserCount)
            {
                nextLink = NextLink(entitySet, query, pageSize);
            }
        }

        var selectedItems = new List<JsonObject>(items.Count);
        foreach (var item in items)
        {
            if (Select(item, query, type, out refusal) is not { } selected)
            {
                return null;
            }

            selectedItems.Add(selected);
        }

        refusal = null;
        return WriteCollection(ContextUrl(entitySet, query), nextLink, selectedItems);
    }

    private string ContextUrl(string entitySet, GraphQuery query) =>
        $"{ServiceRoot.AbsoluteUri}/$metadata#{entitySet}{(query.Select is { } select ? "(" + string.Join(',', select) + ")" : string.Empty)}";

    private string NextLink(string entitySet, GraphQuery query, int pageSize)
    {
        var link = $"{ServiceRoot.AbsoluteUri}/{entitySet}?$top={pageSize}&$skiptoken={GraphQuery.SkipToken(query.Skip + pageSize)}";
        return query.Select is { } select ? link + "&$select=" + Uri.EscapeDataString(string.Join(',', select)) : link;
    }

    /// <summary>The entity with only the <c>$select</c>ed properties (all when none); null and a refusal for an unknown one.</summary>
    private static JsonObject? Select(JsonObject entity, GraphQuery query, string type, out GraphRefusal? refusal)
    {
        refusal = null;
        if (query.Select is not { } select)
        {
            return entity;
        }

        var result = new JsonObject();
        foreach (var name in select)
        {
            if (result.Any(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            var property = entity.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase));
            if (property.Key is null)
            {
                refusal = GraphRefusal.BadRequest("BadRequest",
                    $"Could not find a property named '{name}' on type 'microsoft.graph.{type}'. This local Graph-shaped API serves: {string.Join(", ", entity.Select(p => p.Key))}.");
                return null;
            }

            // A node has one parent: detach it from the entity (a copy made for this answer) before moving it.
            entity.Remove(property.Key);
            result[property.Key] = property.Value;
        }

        return result;
    }

    private static byte[] WriteCollection(string contextUrl, string? nextLink, List<JsonObject> items)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, EntraResponses.JsonWriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("@odata.context", contextUrl);
            if (nextLink is not null)
            {
                json.WriteString("@odata.nextLink", nextLink);
            }

            json.WriteStartArray("value");
            foreach (var item in items)
            {
                item.WriteTo(json);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static byte[] WriteEntity(string contextUrl, JsonObject entity)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, EntraResponses.JsonWriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("@odata.context", contextUrl);
            foreach (var (name, value) in entity)
            {
                json.WritePropertyName(name);
                if (value is null)
                {
                    json.WriteNullValue();
                }
                else
                {
                    value.WriteTo(json);
                }
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

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
