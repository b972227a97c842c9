using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertCredentials.Testing.KeyVault;

/// <summary>The HTTPS certificate a <see cref="LocalKeyVault"/> makes for itself when none is given.</summary>
internal static class VaultHttpsCertificate
{
    /// <summary>One per process: an RSA-2048 key costs about 0.3 s here, and tests start many vaults.</summary>
    private static readonly Lazy<X509Certificate2> Shared = new(Create);

    public static X509Certificate2 Get() => Shared.Value;

    private static X509Certificate2 Create()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        // Real time, not the vault's clock: TLS clients check the validity against the machine's clock.
        var now = TimeProvider.System.GetUtcNow();
        using var created = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
        // Through PKCS#12, so that SslStream can use the private key on every platform.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }
}
