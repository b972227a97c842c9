namespace CertCredentials.Testing.TokenService;

/// <summary>
/// A CAE revocation of an application's tokens: those issued before <paramref name="Sequence"/> (the service's
/// issuance counter) are revoked; <paramref name="UnixTime"/> is the time written in the claims challenge.
/// </summary>
internal sealed record Revocation(long Sequence, long UnixTime);
