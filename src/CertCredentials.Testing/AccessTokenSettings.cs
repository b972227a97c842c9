namespace CertCredentials.Testing;

/// <summary>
/// What access tokens carry beyond the claims every token of a <see cref="LocalTokenService"/> has: their lifetime,
/// the application roles (application permissions) and any other claims. Given to
/// <see cref="LocalTokenService.ConfigureAccessTokens"/> for the tokens the token endpoint issues to an application,
/// or to <see cref="LocalTokenService.CreateAccessToken"/> for a token made directly.
/// </summary>
public sealed class AccessTokenSettings
{
    /// <summary>Claims these settings may not set: the service decides them (<see cref="Roles"/> sets <c>roles</c>).</summary>
    private static readonly HashSet<string> ReservedClaims = new(StringComparer.Ordinal)
    {
        "iss", "aud", "exp", "nbf", "iat", "roles", TokenService.AccessTokenIssuer.SequenceClaim,
    };

    /// <summary>
    /// Lifetime of the tokens (<c>exp</c> - <c>iat</c>), at least one second; null for
    /// <see cref="LocalTokenServiceOptions.AccessTokenLifetime"/>. The token endpoint answers <c>expires_in</c> as this
    /// minus one second.
    /// </summary>
    public TimeSpan? Lifetime { get; init; }

    /// <summary>
    /// The <c>roles</c> claim: the application permissions granted to the application on the resource, such as
    /// <c>User.Read.All</c> for Microsoft Graph or your own API's app roles. Empty (the default) writes no
    /// <c>roles</c> claim, as Entra does for an application without granted permissions.
    /// </summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>
    /// Further claims, added to or replacing the standard ones (<c>appid</c>, <c>azp</c>, <c>tid</c>, <c>oid</c>,
    /// <c>sub</c>, <c>idtyp</c>, <c>ver</c>, <c>uti</c>, <c>jti</c>, <c>xms_cc</c>...). Values are strings, numbers,
    /// booleans, or arrays and dictionaries of those. <c>iss</c>, <c>aud</c>, <c>exp</c>, <c>nbf</c>, <c>iat</c> and
    /// <c>roles</c> cannot be set here.
    /// </summary>
    public IReadOnlyDictionary<string, object> Claims { get; init; } = new Dictionary<string, object>();

    /// <summary>A copy that later changes to the given collections do not reach.</summary>
    internal AccessTokenSettings Snapshot() => new()
    {
        Lifetime = Lifetime,
        Roles = [.. Roles],
        Claims = new Dictionary<string, object>(Claims, StringComparer.Ordinal),
    };

    /// <summary>Throws an <see cref="ArgumentException"/> naming what is wrong.</summary>
    internal void Validate(string parameterName)
    {
        if (Lifetime is { } lifetime && lifetime < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentException($"Lifetime is {lifetime}; it must be at least one second (or null for the service's AccessTokenLifetime).", parameterName);
        }

        if (Roles is null || Roles.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("Roles must not be null, nor contain a null, empty or blank role.", parameterName);
        }

        if (Claims is null)
        {
            throw new ArgumentException("Claims must not be null.", parameterName);
        }

        foreach (var claim in Claims)
        {
            if (string.IsNullOrEmpty(claim.Key) || ReservedClaims.Contains(claim.Key))
            {
                throw new ArgumentException(
                    $"The claim '{claim.Key}' cannot be set through Claims: iss, aud, exp, nbf and iat come from the service, the resource and Lifetime; roles from Roles; {TokenService.AccessTokenIssuer.SequenceClaim} is the service's own.",
                    parameterName);
            }

            if (claim.Value is null)
            {
                throw new ArgumentException($"The claim '{claim.Key}' has a null value; leave it out instead.", parameterName);
            }
        }
    }
}
