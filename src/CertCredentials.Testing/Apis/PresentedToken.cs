namespace CertCredentials.Testing.Apis;

/// <summary>The bearer token of a request as sent, before (and after) validation.</summary>
/// <param name="HadAuthorization">True when an <c>Authorization</c> header was present.</param>
/// <param name="Raw">The token after <c>Bearer </c>, or null when there was no bearer token.</param>
/// <param name="Expired">True when the token parses and its <c>exp</c> has passed on the service's clock.</param>
/// <param name="Id">The token's <c>uti</c> (or <c>jti</c>) when it parses.</param>
internal sealed record PresentedToken(bool HadAuthorization, string? Raw, bool Expired, string? Id)
{
    /// <summary>True once the token passed validation (signature, issuer, audience, lifetime).</summary>
    public bool Valid { get; init; }
}
