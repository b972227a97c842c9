using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertCredentials.StackExchangeRedis.Tests.Infrastructure;

/// <summary>An app registration's identity made in code: a client ID, an RSA-2048 key and its self-signed certificate, as PEM.</summary>
internal sealed class AppIdentity : IDisposable
{
    private AppIdentity(string clientId, RSA key, X509Certificate2 certificate)
    {
        ClientId = clientId;
        Key = key;
        Certificate = certificate;
        KeyPem = key.ExportPkcs8PrivateKeyPem();
        CertificatePem = certificate.ExportCertificatePem();
    }

    public string ClientId { get; }

    public RSA Key { get; }

    public X509Certificate2 Certificate { get; }

    public string KeyPem { get; }

    public string CertificatePem { get; }

    public static AppIdentity Create(string? clientId = null)
    {
        var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=fleet-app", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var now = DateTimeOffset.UtcNow;
        var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(90));
        return new AppIdentity(clientId ?? Guid.NewGuid().ToString(), key, certificate);
    }

    /// <summary>A certificate Kestrel serves HTTPS on 127.0.0.1 with (MSAL.NET insists on an https authority).</summary>
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
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Another certificate and key for the same application (a rotation).</summary>
    public AppIdentity Rotated() => Create(ClientId);

    public void Dispose()
    {
        Certificate.Dispose();
        Key.Dispose();
    }
}
