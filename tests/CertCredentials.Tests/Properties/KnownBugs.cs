using System.Security.Cryptography;

namespace CertCredentials.Tests.Properties;

/// <summary>
/// Library bugs the properties found and that are reported but not fixed yet. Each has a skipped test in
/// <see cref="BoundedWorkTests"/> or <see cref="EscapingExceptionTests"/> that reproduces it exactly. While it is
/// open, the properties count an exception that matches it as "KNOWN BUG" instead of failing, so they keep guarding
/// against every other escape. Remove an entry (and the Skip of its test) once the bug is fixed: an entry that no
/// longer matches anything is harmless, but it hides a regression.
/// </summary>
internal static class KnownBugs
{
    private static readonly (string Name, Type Exception, string Frame)[] Open =
    [
        // A 27- or 43-character base64url thumbprint whose last character has non-zero spare bits: Base64Url.TryDecodeFromChars
        // throws FormatException instead of returning false (EscapingExceptionTests.Thumbprint_...).
        ("ThumbprintText.TryBase64 FormatException", typeof(FormatException), "CertCredentials.Thumbprints.ThumbprintText.TryBase64"),

        // A PKCS#12 whose MAC names an unknown digest algorithm: Pkcs12Info.VerifyMac throws CryptographicException outside
        // any try (EscapingExceptionTests.Pkcs12_...).
        ("Pkcs12Reader.ResolvePassword VerifyMac CryptographicException", typeof(CryptographicException), "CertCredentials.Keys.Pkcs12Reader.ResolvePassword"),

        // A certificate that parses but whose RSA public key does not: GetRSAPublicKey throws in FindLeaf
        // (EscapingExceptionTests.Certificate_whose_rsa_public_key_...).
        ("KeyMaterialLoader.FindLeaf GetRSAPublicKey CryptographicException", typeof(CryptographicException), "CertCredentials.Keys.KeyMaterialLoader.FindLeaf"),

        // A certificate that parses but whose notAfter does not: X509Certificate2.NotAfter throws in the KeyMaterial
        // constructor (EscapingExceptionTests.Certificate_whose_validity_date_...).
        ("KeyMaterial constructor NotAfter CryptographicException", typeof(CryptographicException), "CertCredentials.Keys.KeyMaterial..ctor"),
    ];

    /// <summary>The name of the open bug this exception is, or null.</summary>
    public static string? Match(Exception exception)
    {
        var trace = exception.StackTrace ?? string.Empty;
        foreach (var (name, type, frame) in Open)
        {
            if (type.IsInstanceOfType(exception) && trace.Contains(frame, StringComparison.Ordinal))
            {
                return name;
            }
        }

        return null;
    }
}
