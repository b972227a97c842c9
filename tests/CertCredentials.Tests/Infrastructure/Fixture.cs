using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertCredentials.Tests.Infrastructure;

/// <summary>The openssl-made files under Fixtures/ (see Fixtures/README.md and make-fixtures.sh).</summary>
internal static class Fixture
{
    public const string Passphrase = "Test-Passphrase-1!";

    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static string Text(string name) => File.ReadAllText(Path(name));

    public static byte[] Bytes(string name) => File.ReadAllBytes(Path(name));

    public static X509Certificate2 Certificate(string name) => X509CertificateLoader.LoadCertificate(File.ReadAllBytes(Path(name)) is var bytes && bytes[0] == 0x30
        ? bytes
        : X509Certificate2.CreateFromPem(Text(name)).RawData);

    /// <summary>Reads key=value lines; values may hold '=' (padded base64).</summary>
    public static IReadOnlyDictionary<string, string> Thumbprints(string name) =>
        File.ReadAllLines(Path(name))
            .Where(line => line.Contains('=', StringComparison.Ordinal))
            .ToDictionary(line => line[..line.IndexOf('=', StringComparison.Ordinal)], line => line[(line.IndexOf('=', StringComparison.Ordinal) + 1)..]);

    /// <summary>Signs with <paramref name="privateKey"/> and verifies with the certificate's public key.</summary>
    public static void AssertSignsFor(RSA privateKey, X509Certificate2 certificate)
    {
        var data = RandomNumberGenerator.GetBytes(64);
        var signature = privateKey.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var publicKey = certificate.GetRSAPublicKey()!;
        publicKey.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .Should().BeTrue("the loaded key must be the private half of {0}", certificate.Subject);
    }
}
