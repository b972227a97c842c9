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
}
