namespace CertCredentials;

/// <summary>
/// The token endpoint refused the request, could not be reached, or answered with something unusable. Carries what
/// Entra said (status, OAuth error, AADSTS codes, correlation and trace IDs) so a support case can be traced; the
/// message leads with the AADSTS code and the fix for the known ones.
/// </summary>
public sealed class TokenEndpointException : CertificateCredentialException
{
    /// <summary>Creates the exception. Used by the library and by tests; the message must hold no secret.</summary>
    public TokenEndpointException(
        CertificateCredentialFailure failure,
        string message,
        int? statusCode = null,
        string? error = null,
        string? errorDescription = null,
        IReadOnlyList<int>? errorCodes = null,
        string? correlationId = null,
        string? traceId = null,
        bool isRetryable = false,
        TimeSpan? retryAfter = null,
        Exception? innerException = null)
        : base(failure, message, innerException)
    {
        StatusCode = statusCode;
        Error = error;
        ErrorDescription = errorDescription;
        ErrorCodes = errorCodes ?? [];
        CorrelationId = correlationId;
        TraceId = traceId;
        _isRetryable = isRetryable;
        RetryAfter = retryAfter;
    }

    private readonly bool _isRetryable;

    /// <summary>The HTTP status code, or null when no answer came (connection refused, timeout).</summary>
    public int? StatusCode { get; }

    /// <summary>The OAuth <c>error</c> value, e.g. <c>invalid_client</c>.</summary>
    public string? Error { get; }

    /// <summary>Entra's <c>error_description</c>. Microsoft says never to branch on it: use <see cref="ErrorCodes"/>.</summary>
    public string? ErrorDescription { get; }

    /// <summary>The AADSTS codes (<c>error_codes</c>), e.g. 700027.</summary>
    public IReadOnlyList<int> ErrorCodes { get; }

    /// <summary>The correlation ID (the <c>client-request-id</c> sent), for Entra sign-in logs and support cases.</summary>
    public string? CorrelationId { get; }

    /// <summary>Entra's trace ID.</summary>
    public string? TraceId { get; }

    /// <summary>How long the server asked to wait (<c>Retry-After</c>), when it did.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>
    /// The certificate Entra refused (AADSTS700027, 7000214, 7000277, 1000502, 7000274), so a reload may help; null for
    /// other failures. Set by the token endpoint room, read by the credential.
    /// </summary>
    internal CertificateThumbprint? RefusedCertificate { get; init; }

    /// <summary>Whether the same request may succeed later: throttling, 5xx, timeouts and connection failures.</summary>
    public override bool IsRetryable => _isRetryable;
}
