using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertCredentials.Keys;

/// <summary>
/// The signing key, read once: the RSA private key, the certificate and its chain when known, and the thumbprint that
/// tells Entra which registered certificate to verify with. Disposing it disposes the key.
/// </summary>
internal sealed class KeyMaterial : IDisposable
{
    public KeyMaterial(RSA privateKey, X509Certificate2? certificate, IReadOnlyList<X509Certificate2> chain,
                       CertificateThumbprint thumbprint, IReadOnlyList<string> warnings)
    {
        PrivateKey = privateKey;
        Certificate = certificate;
        Chain = chain;
        Thumbprint = thumbprint;
        Warnings = warnings;
        KeySize = privateKey.KeySize;

        // Read once: these outlive Dispose, so ToString and health checks never touch a disposed certificate.
        CertificateSubject = certificate?.Subject;
        CertificateNotAfter = certificate is null ? null : new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        _description = certificate is null
            ? $"RSA-{KeySize} key; {thumbprint}"
            : $"RSA-{KeySize} key; certificate '{CertificateSubject}' valid until {CertificateNotAfter:yyyy-MM-dd HH:mm}Z; {thumbprint}";
    }

    private readonly string _description;

    public RSA PrivateKey { get; }

    /// <summary>The certificate of the key (public part only), when one was given.</summary>
    public X509Certificate2? Certificate { get; }

    /// <summary>The certificate chain, leaf first, for the <c>x5c</c> header. Empty when no certificate is known.</summary>
    public IReadOnlyList<X509Certificate2> Chain { get; }

    /// <summary>The thumbprint sent in the assertion header: SHA-256 when known, else the SHA-1 given.</summary>
    public CertificateThumbprint Thumbprint { get; }

    /// <summary>Things worth a warning log (a key file readable by others), none of them secret.</summary>
    public IReadOnlyList<string> Warnings { get; }

    public int KeySize { get; }

    /// <summary>
    /// Whether the passphrase as given was refused and the same passphrase without its surrounding whitespace decrypted
    /// the key: the credential warns once (event 1004), without the passphrase.
    /// </summary>
    public bool PassphraseTrimmed { get; set; }

    /// <summary>The certificate's subject, when a certificate was given.</summary>
    public string? CertificateSubject { get; }

    /// <summary>When the certificate expires, when a certificate was given.</summary>
    public DateTimeOffset? CertificateNotAfter { get; }

    /// <summary>Describes the material without any secret: key size, certificate subject and expiry, thumbprint.</summary>
    public override string ToString() => _description;

    public void Dispose()
    {
        PrivateKey.Dispose();
        foreach (var certificate in Chain)
        {
            certificate.Dispose();
        }

        Certificate?.Dispose();
    }
}
