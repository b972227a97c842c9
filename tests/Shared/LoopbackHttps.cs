using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertCredentials.TestSupport;

/// <summary>A certificate Kestrel serves HTTPS on 127.0.0.1 with (MSAL.NET and the Azure SDK insist on https).</summary>
internal static class LoopbackHttps
{
    public static X509Certificate2 CreateCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = TimeProvider.System.GetUtcNow();
        using var created = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));

        // Round-trip through PKCS#12 so that the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>A handler that trusts <paramref name="certificate"/> alone, as the only server certificate.</summary>
    public static SocketsHttpHandler CreateTrustingHandler(X509Certificate2 certificate)
    {
        var trusted = certificate.RawData;
        return new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, c, _, _) => c is not null && c.GetRawCertData().AsSpan().SequenceEqual(trusted) },
        };
    }
}
