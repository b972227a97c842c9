using System.Security.Cryptography.X509Certificates;
using CertCredentials.Tool.Output;

namespace CertCredentials.Tool.Files;

/// <summary>
/// A certificate's thumbprint in every form people meet: the JWT header values, the Azure portal's SHA-1 hex, SHA-256
/// hex, and openssl's colon-separated fingerprint.
/// </summary>
internal static class ThumbprintForms
{
    public static ReportSection AddTo(ReportSection section, X509Certificate2 certificate)
    {
        var sha256 = CertificateThumbprint.Compute(certificate, ThumbprintAlgorithm.Sha256);
        var sha1 = CertificateThumbprint.Compute(certificate, ThumbprintAlgorithm.Sha1);
        return section
            .Add("x5t#S256", "x5tS256", sha256.Base64Url)
            .Add("x5t", "x5t", sha1.Base64Url)
            .Add("SHA-1 (Azure portal)", "sha1", sha1.Hex)
            .Add("SHA-256", "sha256", sha256.Hex)
            .Add("SHA-1 (openssl)", "sha1Colons", Colons(sha1.Hex));
    }

    private static string Colons(string hex) =>
        string.Join(':', Enumerable.Range(0, hex.Length / 2).Select(i => hex.Substring(i * 2, 2)));
}
