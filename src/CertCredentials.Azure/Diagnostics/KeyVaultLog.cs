using Microsoft.Extensions.Logging;

namespace CertCredentials.Azure.Diagnostics;

/// <summary>
/// The log events of the Azure wing (ids 1500-1599, documented in the README). None carries a key, secret value,
/// assertion or token: vault addresses, certificate names, versions, thumbprints and messages that hold no secret.
/// </summary>
internal static partial class KeyVaultLog
{
    [LoggerMessage(1500, LogLevel.Information, "Read version {Version} of certificate '{Certificate}' from Key Vault {Vault} ({Thumbprint}); {Holder}")]
    public static partial void VersionRead(ILogger logger, string certificate, string version, string vault, string thumbprint, string holder);

    [LoggerMessage(1501, LogLevel.Warning, "The newest version {Latest} of certificate '{Certificate}' in Key Vault {Vault} is {State}; using version {Version}, the newest that is enabled and valid")]
    public static partial void OlderVersionUsed(ILogger logger, string certificate, string vault, string latest, string state, string version);

    [LoggerMessage(1502, LogLevel.Debug, "Certificate '{Certificate}' in Key Vault {Vault} is still at version {Version}")]
    public static partial void VersionUnchanged(ILogger logger, string certificate, string vault, string version);
}
