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

    /// <summary>Another certificate and key for the same application (a rotation).</summary>
    public AppIdentity Rotated() => Create(ClientId);

    public void Dispose()
    {
        Certificate.Dispose();
        Key.Dispose();
    }
}
