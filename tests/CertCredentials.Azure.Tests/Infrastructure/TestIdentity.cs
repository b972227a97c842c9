using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertCredentials.Azure.Tests.Infrastructure;

/// <summary>An application identity made in code once per run (RSA-2048 key generation costs about 0.3 s here).</summary>
internal static class TestIdentity
{
    public const string TenantId = "6b5a4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d";
    public const string ClientId = "3f2e1d0c-9b8a-4766-a5b4-c3d2e1f0a9b8";
    public const string Graph = "https://graph.microsoft.com";
    public const string GraphScope = Graph + "/.default";

    private static readonly Lazy<X509Certificate2> SharedCertificate = new(() => Create("CN=CertCredentials.Azure tests"));

    /// <summary>The application's certificate, with its key; never dispose it.</summary>
    public static X509Certificate2 Certificate => SharedCertificate.Value;

    public static X509Certificate2 Create(string subject)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var now = TimeProvider.System.GetUtcNow();
        using var created = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
    }

    public static string PrivateKeyPem(X509Certificate2 certificate)
    {
        using var rsa = certificate.GetRSAPrivateKey()!;
        return rsa.ExportPkcs8PrivateKeyPem();
    }
}
