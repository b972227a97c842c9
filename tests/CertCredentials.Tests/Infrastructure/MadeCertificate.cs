using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace CertCredentials.Tests.Infrastructure;

/// <summary>
/// A fresh RSA-2048 key and self-signed certificate made in code, for rotations (the fixtures are a fixed set):
/// its PEM texts as a key file and a certificate file would hold them, and the public certificate to register.
/// </summary>
internal sealed class MadeCertificate : IDisposable
{
    private MadeCertificate(string subject, string keyPem, string certificatePem, X509Certificate2 certificate)
    {
        Subject = subject;
        KeyPem = keyPem;
        CertificatePem = certificatePem;
        Certificate = certificate;
        Thumbprint = CertificateThumbprint.Compute(certificate);
    }

    public string Subject { get; }

    public string KeyPem { get; }

    public string CertificatePem { get; }

    /// <summary>The public certificate (no private key): what is registered with the token service.</summary>
    public X509Certificate2 Certificate { get; }

    public CertificateThumbprint Thumbprint { get; }

    /// <summary>The base64url SHA-256 thumbprint, as an assertion's <c>x5t#S256</c> header carries it.</summary>
    public string X5tS256 => Thumbprint.Base64Url;

    private static readonly ConcurrentDictionary<string, Lazy<MadeCertificate>> Shared = new(StringComparer.Ordinal);

    /// <summary>
    /// One certificate per subject for the whole test run, made on first use: making RSA keys is the costliest thing
    /// the lifecycle tests do, and it competes with the timed property tests running beside them. Not disposed.
    /// </summary>
    public static MadeCertificate For(string subject) =>
        Shared.GetOrAdd(subject, s => new Lazy<MadeCertificate>(() => Create(s), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

    /// <param name="subject">The certificate's subject.</param>
    /// <param name="keySize">RSA key size in bits.</param>
    /// <param name="notAfter">The end of validity: 2040 unless a test needs a certificate close to its expiry.</param>
    public static MadeCertificate Create(string subject = "CN=rotated", int keySize = 2048, DateTimeOffset? notAfter = null)
    {
        using var rsa = RSA.Create(keySize);
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var withKey = request.CreateSelfSigned(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero), notAfter ?? new DateTimeOffset(2040, 1, 1, 0, 0, 0, TimeSpan.Zero));
        return new MadeCertificate(subject, rsa.ExportPkcs8PrivateKeyPem(), withKey.ExportCertificatePem(), X509CertificateLoader.LoadCertificate(withKey.RawData));
    }

    /// <summary>A <see cref="ClientCertificate"/> of this key and certificate (a new one each call).</summary>
    public ClientCertificate ToClientCertificate() => ClientCertificate.FromPem(KeyPem + "\n" + CertificatePem);

    public void Dispose() => Certificate.Dispose();
}
