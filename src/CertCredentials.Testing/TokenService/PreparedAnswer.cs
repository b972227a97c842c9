namespace CertCredentials.Testing.TokenService;

/// <summary>
/// A token endpoint answer decided but not yet written, so that the request is recorded before the client can see
/// the answer (a test that reads <see cref="LocalTokenService.Requests"/> right after its response finds it).
/// </summary>
/// <param name="StatusCode">HTTP status.</param>
/// <param name="ContentType">Content type of the body.</param>
/// <param name="Body">The body.</param>
/// <param name="Error">The OAuth error, when the service wrote the body.</param>
/// <param name="ErrorCodes">The AADSTS codes, when the service wrote the body.</param>
/// <param name="ResetConnection">Write half of the body, then abort the connection.</param>
internal sealed record PreparedAnswer(
    int StatusCode,
    string ContentType,
    byte[] Body,
    string? Error,
    IReadOnlyList<int> ErrorCodes,
    bool ResetConnection = false);
