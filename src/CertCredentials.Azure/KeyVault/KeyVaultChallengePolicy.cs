using Azure.Core;
using Azure.Core.Pipeline;

namespace CertCredentials.Azure.KeyVault;

/// <summary>
/// Key Vault's challenge authentication, as the Azure SDK's Key Vault clients do it: the first request goes without a
/// token (and without its body), the 401's <c>WWW-Authenticate: Bearer authorization="...", resource="..."</c> names
/// the tenant and resource, and the request is sent again with a token for them. The resource's host must be a
/// parent domain of the vault's (so a vault cannot ask for another resource's token) unless verification is off.
/// </summary>
internal sealed class KeyVaultChallengePolicy : BearerTokenAuthenticationPolicy
{
    private const string StashedContent = "CertCredentials.KeyVaultContent";
    private readonly bool _verifyResource;
    private volatile Challenge? _challenge;

    public KeyVaultChallengePolicy(TokenCredential credential, bool verifyResource)
        : base(credential, Array.Empty<string>()) => _verifyResource = verifyResource;

    protected override ValueTask AuthorizeRequestAsync(HttpMessage message) => new(AuthorizeAsync(message, async: true));

    // With async false every await below completes synchronously: the Task is done when returned.
    protected override void AuthorizeRequest(HttpMessage message) => AuthorizeAsync(message, async: false).GetAwaiter().GetResult();

    protected override ValueTask<bool> AuthorizeRequestOnChallengeAsync(HttpMessage message) => new(OnChallengeAsync(message, async: true));

    protected override bool AuthorizeRequestOnChallenge(HttpMessage message) => OnChallengeAsync(message, async: false).GetAwaiter().GetResult();

    private async Task AuthorizeAsync(HttpMessage message, bool async)
    {
        if (_challenge is { } known)
        {
            await AuthenticateAsync(message, known.Context(message, claims: null), async).ConfigureAwait(false);
            return;
        }

        // Until the vault has said how it authenticates, send nothing it could need protected: no body.
        if (!message.TryGetProperty(StashedContent, out _))
        {
            if (message.Request.Content is { } content)
            {
                message.SetProperty(StashedContent, content);
                message.Request.Content = null;
            }
        }
    }

    private async Task<bool> OnChallengeAsync(HttpMessage message, bool async)
    {
        if (message.Request.Content is null && message.TryGetProperty(StashedContent, out var stashed))
        {
            message.Request.Content = stashed as RequestContent;
        }

        var parameters = message.Response.Headers.TryGetValue("WWW-Authenticate", out var header)
            ? BearerParameters(header)
            : new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var scope = parameters.TryGetValue("resource", out var resource)
            ? resource.TrimEnd('/') + "/.default"
            : parameters.GetValueOrDefault("scope");
        var authorization = parameters.GetValueOrDefault("authorization") ?? parameters.GetValueOrDefault("authorization_uri");
        if (scope is null || !Uri.TryCreate(authorization, UriKind.Absolute, out var authority) || authority.Segments.Length < 2)
        {
            return false;
        }

        if (_verifyResource
            && (!Uri.TryCreate(scope, UriKind.Absolute, out var scopeUri)
                || !message.Request.Uri.Host!.EndsWith("." + scopeUri.Host, StringComparison.OrdinalIgnoreCase)))
        {
            throw KeyVaultErrors.ChallengeResourceMismatch(message.Request.Uri.ToUri(), scope);
        }

        var challenge = new Challenge(scope, authority.Segments[1].Trim('/'));
        _challenge = challenge;
        await AuthenticateAsync(message, challenge.Context(message, claims: null), async).ConfigureAwait(false);
        return true;
    }

    /// <summary>The <c>name="value"</c> pairs of a <c>Bearer</c> challenge (Key Vault's values hold no commas or quotes).</summary>
    private static Dictionary<string, string> BearerParameters(string header)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return result;
        }

        foreach (var pair in header[Scheme.Length..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                result[pair[..equals].Trim()] = pair[(equals + 1)..].Trim().Trim('"');
            }
        }

        return result;
    }

    private async Task AuthenticateAsync(HttpMessage message, TokenRequestContext context, bool async)
    {
        if (async)
        {
            await AuthenticateAndAuthorizeRequestAsync(message, context).ConfigureAwait(false);
        }
        else
        {
            AuthenticateAndAuthorizeRequest(message, context);
        }
    }

    private sealed record Challenge(string Scope, string TenantId)
    {
        public TokenRequestContext Context(HttpMessage message, string? claims) =>
            new([Scope], parentRequestId: message.Request.ClientRequestId, claims: claims, tenantId: TenantId);
    }
}
