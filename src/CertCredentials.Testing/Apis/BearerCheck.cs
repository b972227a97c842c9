using CertCredentials.Testing.TokenService;

namespace CertCredentials.Testing.Apis;

/// <summary>The result of checking a request's bearer token.</summary>
/// <param name="Outcome">What to answer.</param>
/// <param name="Token">The token as presented (and whether it validated).</param>
/// <param name="Reason">For <see cref="BearerOutcome.Invalid"/>: why, in words fit for <c>error_description</c>.</param>
/// <param name="Revocation">For <see cref="BearerOutcome.Revoked"/>: the revocation the token predates.</param>
/// <param name="Caller">For <see cref="BearerOutcome.Accepted"/>: who called.</param>
internal sealed record BearerCheck(
    BearerOutcome Outcome,
    PresentedToken Token,
    string? Reason = null,
    Revocation? Revocation = null,
    Caller? Caller = null);
