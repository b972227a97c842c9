namespace CertCredentials.Testing;

/// <summary>
/// Data-plane permissions of a <see cref="LocalKeyVault"/>, as an access policy names them (with RBAC, the role
/// actions they stand for are named in the 403 instead).
/// </summary>
[Flags]
public enum KeyVaultPermissions
{
    /// <summary>Nothing: every operation is refused with 403.</summary>
    None = 0,

    /// <summary>Secrets get (<c>Microsoft.KeyVault/vaults/secrets/getSecret/action</c>): a certificate's key and chain.</summary>
    SecretsGet = 1,

    /// <summary>Certificates get (<c>Microsoft.KeyVault/vaults/certificates/read</c>): a certificate, its policy.</summary>
    CertificatesGet = 2,

    /// <summary>Certificates list (<c>Microsoft.KeyVault/vaults/certificates/read</c>): a certificate's versions.</summary>
    CertificatesList = 4,

    /// <summary>Keys get (<c>Microsoft.KeyVault/vaults/keys/read</c>): a key's public part.</summary>
    KeysGet = 8,

    /// <summary>Keys sign (<c>Microsoft.KeyVault/vaults/keys/sign/action</c>).</summary>
    KeysSign = 16,

    /// <summary>What the <c>Key Vault Certificate User</c> role grants, and more: every permission above.</summary>
    All = SecretsGet | CertificatesGet | CertificatesList | KeysGet | KeysSign,
}
