using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertCredentials.Testing.Tests.Infrastructure;

/// <summary>Self-signed RSA certificates made in code.</summary>
public static class TestCertificates
{
    private static readonly Lazy<X509Certificate2> SharedCertificate = new(() => Create("CN=CertCredentials shared test app"));

    /// <summary>
    /// One certificate for the whole test run (RSA-2048 key generation costs about 0.3 s here); never dispose it.
    /// </summary>
    public static X509Certificate2 Shared => SharedCertificate.Value;

    public static X509Certificate2 Create(string subject = "CN=CertCredentials test app", int keySize = 2048)
    {
        using var rsa = RSA.Create(keySize);
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
    }

    /// <summary>A certificate usable by Kestrel for HTTPS on 127.0.0.1.</summary>
    public static X509Certificate2 CreateForHttps()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        using var created = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
        // Round-trip through PKCS#12 so that the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }
}
