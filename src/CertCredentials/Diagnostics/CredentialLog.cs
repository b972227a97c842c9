using Microsoft.Extensions.Logging;

namespace CertCredentials.Diagnostics;

/// <summary>
/// Every log event of the library, with stable event ids (documented in the README). None carries a key, passphrase,
/// assertion or token: only IDs, times, codes and counts.
/// </summary>
internal static partial class CredentialLog
{
    [LoggerMessage(1000, LogLevel.Information, "Loaded the signing key for client {ClientId}: {KeyDescription}")]
    public static partial void KeyLoaded(ILogger logger, string clientId, string keyDescription);

    [LoggerMessage(1001, LogLevel.Warning, "{Warning}")]
    public static partial void KeyWarning(ILogger logger, string warning);

    [LoggerMessage(1002, LogLevel.Warning, "The certificate '{Subject}' ({Thumbprint}) expires at {NotAfter:u}, in {Days} days. Make a new certificate, upload it to the app registration beside the old one, then switch this service to it.")]
    public static partial void CertificateExpiresSoon(ILogger logger, string subject, string thumbprint, DateTimeOffset notAfter, int days);

    [LoggerMessage(1003, LogLevel.Error, "The certificate '{Subject}' ({Thumbprint}) expired at {NotAfter:u}. Entra will refuse assertions signed for it: make a new certificate and upload it to the app registration.")]
    public static partial void CertificateExpired(ILogger logger, string subject, string thumbprint, DateTimeOffset notAfter);

    [LoggerMessage(1004, LogLevel.Warning, "The PrivateKeyPassphrase of client {ClientId} has surrounding whitespace (a trailing newline, as echo writes into a secret file, or spaces) and decrypts the key only without it; it was used trimmed. Remove the whitespace from the secret (printf '%s' instead of echo)")]
    public static partial void PassphraseTrimmed(ILogger logger, string clientId);

    [LoggerMessage(1100, LogLevel.Information, "Acquired a token for {Scope} in tenant {Tenant} from {TokenEndpoint} in {ElapsedMilliseconds:F0} ms; it expires at {ExpiresOn:u} and is refreshed from {RefreshOn:u} (correlation {CorrelationId})")]
    public static partial void TokenAcquired(ILogger logger, string scope, string tenant, Uri tokenEndpoint, double elapsedMilliseconds, DateTimeOffset expiresOn, DateTimeOffset refreshOn, string correlationId);

    [LoggerMessage(1101, LogLevel.Trace, "Served the cached token for {Scope} in tenant {Tenant}; it expires at {ExpiresOn:u}")]
    public static partial void TokenServedFromCache(ILogger logger, string scope, string tenant, DateTimeOffset expiresOn);

    [LoggerMessage(1102, LogLevel.Debug, "Background refresh of the token for {Scope} in tenant {Tenant} started; callers keep the cached token, valid until {UsableUntil:u}")]
    public static partial void RefreshStarted(ILogger logger, string scope, string tenant, DateTimeOffset usableUntil);

    [LoggerMessage(1103, LogLevel.Debug, "Background refresh of the token for {Scope} in tenant {Tenant} finished; the new token expires at {ExpiresOn:u}")]
    public static partial void RefreshFinished(ILogger logger, string scope, string tenant, DateTimeOffset expiresOn);

    [LoggerMessage(1104, LogLevel.Warning, "Background refresh of the token for {Scope} in tenant {Tenant} failed ({Reason}); the cached token stays in use until {UsableUntil:u}, next attempt at {NextAttempt:u}")]
    public static partial void RefreshFailed(ILogger logger, string scope, string tenant, string reason, DateTimeOffset usableUntil, DateTimeOffset nextAttempt);

    [LoggerMessage(1105, LogLevel.Warning, "Token request attempt {Attempt} for {Scope} in tenant {Tenant} to {TokenEndpoint} failed ({Reason}); retrying in {DelayMilliseconds:F0} ms")]
    public static partial void Retrying(ILogger logger, int attempt, string scope, string tenant, Uri tokenEndpoint, string reason, double delayMilliseconds);

    [LoggerMessage(1106, LogLevel.Error, "Token acquisition for {Scope} in tenant {Tenant} failed: {Failure} (status {StatusCode}, AADSTS {ErrorCode}, correlation {CorrelationId}): {Reason}")]
    public static partial void AcquisitionFailed(ILogger logger, string scope, string tenant, CertificateCredentialFailure failure, int? statusCode, int? errorCode, string? correlationId, string reason);

    [LoggerMessage(1107, LogLevel.Warning, "The token endpoint sent expires_in = {ExpiresIn} for {Scope} in tenant {Tenant}, which is not a usable lifetime; using {UsedSeconds:F0} seconds (capped at a day, or taken from the token's own exp, or a cautious 60 seconds for an opaque token)")]
    public static partial void ExpiresInClamped(ILogger logger, string scope, string tenant, string expiresIn, double usedSeconds);

    [LoggerMessage(1108, LogLevel.Information, "Dropped the cached token for {Scope} in tenant {Tenant} because the resource rejected it; the next request gets a new one")]
    public static partial void TokenInvalidated(ILogger logger, string scope, string tenant);

    [LoggerMessage(1109, LogLevel.Information, "Acquiring a token for {Scope} in tenant {Tenant} that answers a claims challenge (continuous access evaluation), bypassing the cache")]
    public static partial void ClaimsChallenge(ILogger logger, string scope, string tenant);

    [LoggerMessage(1110, LogLevel.Warning, "Token endpoint calls for {Scope} in tenant {Tenant} are paused until {RetryAt:u} after {Failures} consecutive failures; callers get the last error until then")]
    public static partial void CoolingDown(ILogger logger, string scope, string tenant, DateTimeOffset retryAt, int failures);

    [LoggerMessage(1111, LogLevel.Debug, "Token acquisition for {Scope} in tenant {Tenant} stopped: the credential was disposed (a shutdown, not a failure)")]
    public static partial void AcquisitionStoppedByDisposal(ILogger logger, string scope, string tenant);
}
