using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertCredentials.Benchmarks.Infrastructure;

/// <summary>
/// The application's RSA-2048 certificate and key (made once in code, as in the library's tests) and the IDs every
/// benchmark uses. The same key signs for all three libraries.
/// </summary>
internal static class Identities
{
    public const string ClientId = "6f1c2b3a-4d5e-4f60-8a9b-0c1d2e3f4a5b";
    public const string Tenant = "2a7b9c1d-3e4f-4a5b-8c6d-7e8f9a0b1c2d";
    public const string Resource = "https://graph.microsoft.com";
    public const string Scope = Resource + "/.default";

    private static readonly Lazy<(X509Certificate2 Certificate, string KeyPem, string CertificatePem)> App = new(CreateApp);

    /// <summary>The certificate with its private key (MSAL and Azure.Identity take this).</summary>
    public static X509Certificate2 Certificate => App.Value.Certificate;

    /// <summary>The PKCS#8 private key as PEM (CertCredentials takes text or a file).</summary>
    public static string KeyPem => App.Value.KeyPem;

    /// <summary>The certificate as PEM.</summary>
    public static string CertificatePem => App.Value.CertificatePem;

    /// <summary>The i-th tenant of the multi-tenant benchmarks: a GUID, as Entra tenants are.</summary>
    public static string TenantNumber(int i) => $"{i:x8}-0000-4000-8000-00000000b0b0";

    /// <summary>A certificate for Kestrel's HTTPS on 127.0.0.1 (MSAL and Azure.Identity insist on https authorities).</summary>
    public static X509Certificate2 CreateHttpsCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        using var created = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        // Through PKCS#12 so that SslStream can use the private key.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    private static (X509Certificate2, string, string) CreateApp()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=CertCredentials benchmark app", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var now = DateTimeOffset.UtcNow;
        using var created = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
        var certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
        return (certificate, rsa.ExportPkcs8PrivateKeyPem(), created.ExportCertificatePem());
    }
}
