using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertCredentials.Testing.KeyVault;

/// <summary>
/// One certificate version as the vault holds it: the public certificate, its private key (RSA or EC, never handed
/// out when not exportable) and the attributes its certificate, key and secret share. Immutable but for
/// <see cref="Enabled"/>.
/// </summary>
internal sealed class VaultCertificate : IDisposable
{
    private volatile bool _enabled;

    public VaultCertificate(
        KeyVaultCertificateVersion identifiers,
        X509Certificate2 withKey,
        bool exportable,
        bool secretWithoutKey,
        string contentType,
        bool enabled,
        IReadOnlyDictionary<string, string> tags,
        DateTimeOffset created)
    {
        Identifiers = identifiers;
        WithKey = withKey;
        Exportable = exportable;
        SecretWithoutKey = secretWithoutKey;
        ContentType = contentType;
        _enabled = enabled;
        Tags = tags;
        Created = created;
        Rsa = withKey.GetRSAPrivateKey();
        Ec = Rsa is null ? withKey.GetECDsaPrivateKey() : null;
    }

    public KeyVaultCertificateVersion Identifiers { get; }

    public string Name => Identifiers.Name;

    public string Version => Identifiers.Version;

    /// <summary>The certificate with its private key (a copy the vault owns).</summary>
    public X509Certificate2 WithKey { get; }

    public RSA? Rsa { get; }

    public ECDsa? Ec { get; }

    public bool Exportable { get; }

    /// <summary>The secret holds the certificate alone though the key is exportable.</summary>
    public bool SecretWithoutKey { get; }

    public string ContentType { get; }

    public bool Enabled
    {
        get => _enabled;
        set => _enabled = value;
    }

    public IReadOnlyDictionary<string, string> Tags { get; }

    public DateTimeOffset Created { get; }

    public DateTimeOffset NotBefore => new(WithKey.NotBefore.ToUniversalTime());

    public DateTimeOffset ExpiresOn => new(WithKey.NotAfter.ToUniversalTime());

    public void Dispose()
    {
        Rsa?.Dispose();
        Ec?.Dispose();
        WithKey.Dispose();
        Identifiers.Certificate.Dispose();
    }
}
