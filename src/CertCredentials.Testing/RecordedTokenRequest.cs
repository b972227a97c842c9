using Microsoft.IdentityModel.JsonWebTokens;

namespace CertCredentials.Testing;

/// <summary>One POST to a token endpoint, as the service received and answered it.</summary>
/// <param name="ReceivedAt">When it arrived, on the service's <see cref="LocalTokenServiceOptions.TimeProvider"/>.</param>
/// <param name="Tenant">The tenant segment of the path, as sent.</param>
/// <param name="Form">The form fields (a repeated field's values are joined with a comma).</param>
/// <param name="Headers">The request headers (case-insensitive names; repeated values joined with ", ").</param>
/// <param name="Assertion">The <c>client_assertion</c> when it parsed as a JWT (whether or not it was valid), else null.</param>
/// <param name="StatusCode">The status answered; 499 when the client aborted before the answer.</param>
/// <param name="Error">The OAuth <c>error</c> answered by the service's own checks or a default fault body, else null.</param>
/// <param name="ErrorCodes">The AADSTS codes answered (empty on success).</param>
public sealed record RecordedTokenRequest(
    DateTimeOffset ReceivedAt,
    string Tenant,
    IReadOnlyDictionary<string, string> Form,
    IReadOnlyDictionary<string, string> Headers,
    JsonWebToken? Assertion,
    int StatusCode,
    string? Error,
    IReadOnlyList<int> ErrorCodes);
