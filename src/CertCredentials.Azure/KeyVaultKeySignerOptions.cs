using Azure.Core;

namespace CertCredentials.Azure;

/// <summary>
/// Settings of a <see cref="KeyVaultKeySigner"/>: the transport, retries and diagnostics of its <c>sign</c> requests,
/// as the Azure SDK's own client options carry them.
/// </summary>
public sealed class KeyVaultKeySignerOptions : ClientOptions
{
    /// <summary>
    /// Send the vault credential's token to whatever resource the vault's challenge names, even when its host is not a
    /// parent domain of the vault's. Default false; set it only for a local or emulated vault.
    /// </summary>
    public bool DisableChallengeResourceVerification { get; set; }
}
