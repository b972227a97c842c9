using System.Security.Cryptography.X509Certificates;

namespace CertCredentials.Testing;

/// <summary>Settings of a <see cref="LocalKeyVault"/>.</summary>
public sealed class LocalKeyVaultOptions
{
    /// <summary>The audience the vault accepts and names in its challenge. Default <c>https://vault.azure.net</c>.</summary>
    public string Resource { get; set; } = LocalKeyVault.DefaultResource;

    /// <summary>TCP port to listen on; 0 picks a free port. The vault always binds 127.0.0.1 only.</summary>
    public int Port { get; set; }

    /// <summary>
    /// The HTTPS certificate (with its private key). When null the vault makes one in code for 127.0.0.1; trust it with
    /// <see cref="LocalKeyVault.CreateHttpMessageHandler"/>. Key Vault clients refuse plain http, so there is no http mode.
    /// </summary>
    public X509Certificate2? HttpsCertificate { get; set; }

    /// <summary>How 403 answers are worded. Default <see cref="KeyVaultPermissionModel.AccessPolicy"/>.</summary>
    public KeyVaultPermissionModel PermissionModel { get; set; }

    /// <summary>
    /// The clock for <c>created</c>/<c>updated</c> and for refusing to sign with an expired or not yet valid key; null
    /// takes the token service's.
    /// </summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>How many requests <see cref="LocalKeyVault.Requests"/> keeps (the oldest are dropped). Default 10,000.</summary>
    public int MaxRecordedRequests { get; set; } = 10_000;
}
