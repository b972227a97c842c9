using Microsoft.Extensions.Logging;

namespace CertCredentials.Diagnostics;

/// <summary>
/// The log events of certificate rotation (ids 1300-1399, documented in the README). None carries a key, passphrase,
/// assertion or token: thumbprints, client IDs, option names, failure kinds and messages that hold no secret.
/// </summary>
internal static partial class LifecycleLog
{
    [LoggerMessage(1300, LogLevel.Information, "Switched the signing certificate of client {ClientId} from {OldThumbprint} to {NewThumbprint} ({Trigger}); token requests from now on are signed with {Certificate}")]
    public static partial void CertificateSwitched(ILogger logger, string clientId, string oldThumbprint, string newThumbprint, string trigger, string certificate);

    [LoggerMessage(1301, LogLevel.Error, "Could not load the new key or certificate of client {ClientId} ({Trigger}): {Failure}: {Reason} The certificate in use ({Thumbprint}) keeps serving until a good one arrives.")]
    public static partial void ReloadFailed(ILogger logger, string clientId, string trigger, CertificateCredentialFailure failure, string reason, string thumbprint);

    [LoggerMessage(1302, LogLevel.Debug, "Reading the new key or certificate of client {ClientId} failed ({Failure}); it is read again at the next check before the failure is reported (a file may be half written)")]
    public static partial void ReloadDeferred(ILogger logger, string clientId, CertificateCredentialFailure failure);

    [LoggerMessage(1303, LogLevel.Warning, "The options {Options} of the credential of client {ClientId} changed; the running credential cannot change them in place, so they take effect after a restart. {Problems}")]
    public static partial void RestartNeeded(ILogger logger, string options, string clientId, string problems);

    [LoggerMessage(1304, LogLevel.Warning, "Entra refused the certificate {Thumbprint} of client {ClientId} (AADSTS{ErrorCode}); reloading the key and certificate now")]
    public static partial void CertificateRefused(ILogger logger, string thumbprint, string clientId, int? errorCode);

    [LoggerMessage(1305, LogLevel.Warning, "After Entra refused the certificate {Thumbprint} of client {ClientId}, its source still gives that certificate, so the request is not retried. Upload it to the app registration, or put a registered certificate in place")]
    public static partial void RefusedCertificateUnchanged(ILogger logger, string thumbprint, string clientId);

    [LoggerMessage(1306, LogLevel.Information, "The key and certificate of client {ClientId} load again ({Thumbprint}); the earlier reload failure is over")]
    public static partial void ReloadRecovered(ILogger logger, string clientId, string thumbprint);

    [LoggerMessage(1307, LogLevel.Debug, "Changes in '{Directory}' are not watched ({Reason}); the check every {Interval} finds them")]
    public static partial void WatchUnavailable(ILogger logger, string directory, string reason, TimeSpan interval);
}
