namespace CertCredentials.Azure.KeyVault;

/// <summary>What <c>GET /certificates/{name}/{version}</c> says of one version (the policy's parts when sent).</summary>
internal sealed record KeyVaultCertificateBundle(
    Uri Id,
    string Version,
    Uri KeyId,
    Uri SecretId,
    byte[] Cer,
    bool Enabled,
    DateTimeOffset? NotBefore,
    DateTimeOffset? ExpiresOn,
    bool? Exportable,
    string? ContentType);
