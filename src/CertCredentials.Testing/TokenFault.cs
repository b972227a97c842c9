namespace CertCredentials.Testing;

/// <summary>
/// A failure the token endpoint plays instead of its normal answer: queued with
/// <see cref="LocalTokenService.EnqueueFault"/> or set as <see cref="LocalTokenService.PersistentFault"/>.
/// </summary>
public sealed record TokenFault
{
    /// <summary>HTTP status code of the answer. Default 503.</summary>
    public int StatusCode { get; init; } = 503;

    /// <summary>Verbatim <c>Retry-After</c> header value (<c>"2"</c> or an HTTP date); none when null.</summary>
    public string? RetryAfter { get; init; }

    /// <summary>
    /// Real time to wait before answering (for timeout tests). The wait ends early, without an answer, when the
    /// client aborts the request or the service stops.
    /// </summary>
    public TimeSpan Delay { get; init; }

    /// <summary>
    /// Verbatim body. When null: an Entra-shaped JSON error for a status of 400 or more, nothing otherwise.
    /// </summary>
    public string? Body { get; init; }

    /// <summary>Content type of the body (e.g. <c>text/html</c>); default <c>application/json; charset=utf-8</c>.</summary>
    public string? ContentType { get; init; }

    /// <summary>
    /// When true: write the status, the headers (with a <c>Content-Length</c> of the whole body) and half of the
    /// body, then abort the connection.
    /// </summary>
    public bool ResetConnection { get; init; }

    /// <summary>For <see cref="LocalTokenService.EnqueueFault"/>: how many consecutive token requests it applies to.</summary>
    public int Times { get; init; } = 1;
}
