using Azure.Core;

namespace CertCredentials.Azure.TokenCredentials;

/// <summary>
/// Azure.Core's <see cref="TokenCredential"/> over a <see cref="CertificateClientCredential"/>. The configured tenant
/// and scope go straight to the credential's own cache (no lookup by key), so a cached token costs about what the
/// credential's own lookup costs and allocates nothing here.
/// </summary>
internal sealed class CertificateTokenCredential : TokenCredential
{
    private readonly CertificateClientCredential _credential;

    public CertificateTokenCredential(CertificateClientCredential credential) => _credential = credential;

    public override ValueTask<global::Azure.Core.AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        var scope = SingleScope(requestContext.Scopes);
        var tenant = requestContext.TenantId;
        if (!string.IsNullOrEmpty(requestContext.Claims))
        {
            return ConvertAsync(Refresh(tenant, scope, requestContext.Claims, cancellationToken));
        }

        var pending = IsOwn(tenant, scope)
            ? _credential.GetTokenAsync(cancellationToken)
            : _credential.GetTokenAsync(tenant ?? _credential.TenantId, scope, cancellationToken);
        return pending.IsCompletedSuccessfully
            ? new ValueTask<global::Azure.Core.AccessToken>(Convert(pending.Result))
            : ConvertAsync(pending.AsTask());
    }

    public override global::Azure.Core.AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        var pending = GetTokenAsync(requestContext, cancellationToken);
        if (pending.IsCompletedSuccessfully)
        {
            return pending.Result;
        }

        // A cold cache: the flight runs with ConfigureAwait(false) throughout, so its continuations never need the
        // caller's SynchronizationContext and blocking this thread (only this one) cannot deadlock.
        return pending.AsTask().GetAwaiter().GetResult();
    }

    private static string SingleScope(string[]? scopes)
    {
        if (scopes is [var only] && !string.IsNullOrWhiteSpace(only))
        {
            return only;
        }

        var given = scopes is null || scopes.Length == 0 ? "none" : $"{scopes.Length} ('{string.Join("', '", scopes)}')";
        throw new CertificateCredentialException(
            CertificateCredentialFailure.InvalidOptions,
            $"The token request asks for {given} scopes, and the client credentials flow takes exactly one: the resource's "
            + "'/.default' scope, e.g. 'https://graph.microsoft.com/.default'. Give the Azure SDK client one resource's "
            + "'/.default' scope (an app's permissions come with it); for several resources, use one client per resource.");
    }

    private static global::Azure.Core.AccessToken Convert(AccessToken token) =>
        new(token.Token, token.ExpiresOn, token.RefreshOn, token.TokenType);

    private static async ValueTask<global::Azure.Core.AccessToken> ConvertAsync(Task<AccessToken> pending) =>
        Convert(await pending.ConfigureAwait(false));

    private bool IsOwn(string? tenant, string scope) =>
        string.Equals(scope, _credential.Scope, StringComparison.Ordinal)
        && (string.IsNullOrEmpty(tenant) || string.Equals(tenant, _credential.TenantId, StringComparison.OrdinalIgnoreCase));

    private Task<AccessToken> Refresh(string? tenant, string scope, string claims, CancellationToken cancellationToken) =>
        IsOwn(tenant, scope)
            ? _credential.RefreshTokenAsync(claims, cancellationToken)
            : _credential.RefreshTokenAsync(tenant ?? _credential.TenantId, scope, claims, cancellationToken);
}
