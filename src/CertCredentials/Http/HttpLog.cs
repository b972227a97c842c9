using Microsoft.Extensions.Logging;

namespace CertCredentials.Http;

/// <summary>The handler's log events (ids 1200-1299). No token ever appears in them.</summary>
internal static partial class HttpLog
{
    [LoggerMessage(1200, LogLevel.Information, "{Host} rejected the access token (invalid_token); retrying once with a new token")]
    public static partial void TokenRejected(ILogger logger, string? host);

    [LoggerMessage(1201, LogLevel.Information, "{Host} sent a claims challenge (continuous access evaluation); retrying once with a token that answers it")]
    public static partial void ClaimsChallenge(ILogger logger, string? host);

    [LoggerMessage(1202, LogLevel.Warning, "{Host} answered 401 ({Error}), but the request content cannot be sent again, so it is not retried; buffer the content (ByteArrayContent, StringContent) to allow the retry")]
    public static partial void CannotRetry(ILogger logger, string? host, string? error);

    [LoggerMessage(1203, LogLevel.Warning, "{Host} answered 401 after a redirect to it; the token is not sent to another host, so the request is not retried")]
    public static partial void NotRetriedAfterRedirect(ILogger logger, string? host);
}
