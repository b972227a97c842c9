using System.Text;
using CertCredentials.Testing.TokenService;

namespace CertCredentials.Testing.Apis;

/// <summary>The <c>WWW-Authenticate</c> values of a protected API's 401 answers.</summary>
internal static class BearerChallenges
{
    /// <summary>
    /// The message of Microsoft Graph's body for a CAE challenge (the code is <c>InvalidAuthenticationToken</c>).
    /// </summary>
    public const string RevokedMessage =
        "Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp";

    /// <summary><c>Bearer [prefix, ]error="invalid_token", error_description="..."</c> (RFC 6750).</summary>
    public static string InvalidToken(string description, string? prefix = null) =>
        $"Bearer {(prefix is null ? string.Empty : prefix + ", ")}error=\"invalid_token\", error_description=\"{description.Replace("\"", "'", StringComparison.Ordinal)}\"";

    /// <summary>
    /// A CAE claims challenge as Microsoft Graph sends it: <c>error="insufficient_claims"</c> with base64 claims that
    /// ask for a token issued after the revocation.
    /// </summary>
    public static string InsufficientClaims(string authorizationUri, Revocation revocation)
    {
        var claims = $"{{\"access_token\":{{\"nbf\":{{\"essential\":true,\"value\":\"{revocation.UnixTime}\"}}}}}}";
        return $"Bearer realm=\"\", authorization_uri=\"{authorizationUri}\", error=\"insufficient_claims\", claims=\"{Convert.ToBase64String(Encoding.UTF8.GetBytes(claims))}\"";
    }
}
