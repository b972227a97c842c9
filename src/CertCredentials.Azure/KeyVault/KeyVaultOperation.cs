namespace CertCredentials.Azure.KeyVault;

/// <summary>A Key Vault operation, with the access-policy permission and the RBAC role and action it needs.</summary>
internal sealed record KeyVaultOperation(string Description, string Kind, string Permission, string Role, string Action)
{
    public static readonly KeyVaultOperation GetCertificate = new(
        "read the certificate", "certificate", "certificates get", "Key Vault Certificate User", "Microsoft.KeyVault/vaults/certificates/read");

    public static readonly KeyVaultOperation ListVersions = new(
        "list the certificate's versions", "certificate", "certificates list", "Key Vault Certificate User", "Microsoft.KeyVault/vaults/certificates/read");

    public static readonly KeyVaultOperation GetSecret = new(
        "read the certificate's secret (its key and chain)", "secret", "secrets get", "Key Vault Secrets User (or Key Vault Certificate User)", "Microsoft.KeyVault/vaults/secrets/getSecret/action");

    public static readonly KeyVaultOperation Sign = new(
        "sign with the key", "key", "keys sign", "Key Vault Crypto User", "Microsoft.KeyVault/vaults/keys/sign/action");
}
