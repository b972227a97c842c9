using Azure.Core;
using Microsoft.Extensions.Logging;

namespace CertCredentials.Azure;

/// <summary>
/// Settings of a <see cref="KeyVaultCertificateSource"/>. As the Azure SDK's own client options, they carry the
/// transport, retries and diagnostics of the Key Vault requests (<see cref="ClientOptions.Transport"/>,
/// <see cref="ClientOptions.Retry"/>).
/// </summary>
public sealed class KeyVaultCertificateSourceOptions : ClientOptions
{
    /// <summary>
    /// When the certificate's policy makes its key non-exportable (or its secret holds no key), sign each client
    /// assertion in the vault (<c>POST {kid}/sign</c>, through a <see cref="KeyVaultKeySigner"/>), so the key never
    /// leaves the vault or HSM. Default true. When false, such a certificate is refused
    /// (<see cref="CertificateCredentialFailure.CertificateWithoutPrivateKey"/>).
    /// </summary>
    public bool AllowSigningInVault { get; set; } = true;

    /// <summary>
    /// Send the vault credential's token to whatever resource the vault's challenge names, even when its host is not a
    /// parent domain of the vault's. Default false; set it only for a local or emulated vault, as with the Azure SDK's
    /// <c>DisableChallengeResourceVerification</c>.
    /// </summary>
    public bool DisableChallengeResourceVerification { get; set; }

    /// <summary>The clock that decides whether a version is expired or not yet valid; <see cref="System.TimeProvider.System"/> when null.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Where the source logs (events 1500-1599); nothing when null.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
