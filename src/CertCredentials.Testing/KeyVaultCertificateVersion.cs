using System.Security.Cryptography.X509Certificates;

namespace CertCredentials.Testing;

/// <summary>One version of a certificate in a <see cref="LocalKeyVault"/>, with the identifiers Key Vault gives it.</summary>
/// <param name="Name">The certificate's name.</param>
/// <param name="Version">The version (32 lowercase hex digits).</param>
/// <param name="Id">The certificate's identifier, <c>{vault}/certificates/{name}/{version}</c>.</param>
/// <param name="KeyId">The key's identifier (<c>kid</c>), <c>{vault}/keys/{name}/{version}</c>: sign with it.</param>
/// <param name="SecretId">The secret's identifier (<c>sid</c>), <c>{vault}/secrets/{name}/{version}</c>.</param>
/// <param name="Certificate">The certificate's public part (no private key).</param>
public sealed record KeyVaultCertificateVersion(
    string Name,
    string Version,
    Uri Id,
    Uri KeyId,
    Uri SecretId,
    X509Certificate2 Certificate);
