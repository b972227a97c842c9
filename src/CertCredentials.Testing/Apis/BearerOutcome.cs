namespace CertCredentials.Testing.Apis;

/// <summary>What a protected API makes of a request's bearer token.</summary>
internal enum BearerOutcome
{
    /// <summary>Valid, not revoked, not rejected: serve the request.</summary>
    Accepted,

    /// <summary>Missing, invalid, expired or rejected on purpose: answer 401 <c>invalid_token</c>.</summary>
    Invalid,

    /// <summary>A CAE-capable token issued before a revocation: answer an <c>insufficient_claims</c> challenge.</summary>
    Revoked,
}
