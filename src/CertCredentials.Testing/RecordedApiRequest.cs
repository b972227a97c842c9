namespace CertCredentials.Testing;

/// <summary>One request to a <see cref="LocalProtectedApi"/>, as it received and answered it.</summary>
/// <param name="ReceivedAt">When it arrived, on the token service's clock.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path (without the query).</param>
/// <param name="HadAuthorization">True when an <c>Authorization</c> header was present.</param>
/// <param name="TokenValid">
/// True when the bearer token passed validation (signature, issuer, audience, lifetime), even if it was then refused
/// because of a revocation or <see cref="LocalProtectedApi.RejectNextWithInvalidToken"/>.
/// </param>
/// <param name="TokenExpired">True when a bearer token was sent whose <c>exp</c> had passed on the service's clock.</param>
/// <param name="TokenId">The token's <c>uti</c> (or <c>jti</c>) when a parsable token was sent.</param>
/// <param name="StatusCode">The status answered.</param>
/// <param name="Error">The <c>error</c> of the <c>WWW-Authenticate</c> challenge (<c>invalid_token</c>, <c>insufficient_claims</c>), else null.</param>
public sealed record RecordedApiRequest(
    DateTimeOffset ReceivedAt,
    string Method,
    string Path,
    bool HadAuthorization,
    bool TokenValid,
    bool TokenExpired,
    string? TokenId,
    int StatusCode,
    string? Error);
