namespace CertCredentials.Testing;

/// <summary>One request to a <see cref="LocalKeyVault"/>, as it received and answered it.</summary>
/// <param name="ReceivedAt">When it arrived, on the vault's clock.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path (without the query).</param>
/// <param name="ClientId">The caller's <c>appid</c> when it presented a valid token, else null.</param>
/// <param name="StatusCode">The status answered.</param>
/// <param name="ErrorCode">The answer's <c>error.code</c> (or inner error code when there is one), else null.</param>
public sealed record RecordedVaultRequest(
    DateTimeOffset ReceivedAt,
    string Method,
    string Path,
    string? ClientId,
    int StatusCode,
    string? ErrorCode);
