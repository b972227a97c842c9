namespace CertCredentials.Azure.KeyVault;

/// <summary>One entry of <c>GET /certificates/{name}/versions</c>.</summary>
internal sealed record KeyVaultCertificateVersionInfo(string Version, bool Enabled, DateTimeOffset? NotBefore, DateTimeOffset? ExpiresOn, DateTimeOffset? Created);
