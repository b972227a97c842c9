using CertCredentials.Keys;
using CertCredentials.Tests.Infrastructure;

namespace CertCredentials.Tests.Keys;

/// <summary>
/// What the describer (for certcred inspect) names in a file, without decrypting anything: forms, encryption schemes,
/// the certificates, and with the password the contents of an encrypted PKCS#12 safe.
/// </summary>
public sealed class KeyInputDescriberTests
{
    private static List<string> Describe(string fixture, string? passphrase = null) =>
        [.. KeyInputDescriber.DescribeFile(Fixture.Path(fixture), KeySource.PrivateKeyFile(Fixture.Path(fixture)), "PrivateKeyPath", passphrase)
            .Select(i => i.Form.Trim())];

    [Fact]
    public void Base64_of_a_pfx_is_named_with_its_mac_safes_and_the_scheme_of_its_key()
    {
        Describe("rsa2048.pfx.b64.txt").Should().Equal(
            "base64 text of PKCS#12 (.pfx/.p12), password-protected (MAC with SHA-256)",
            "safe encrypted with PBES2, PBKDF2 with HMAC-SHA256, AES-256-CBC (its contents need the password)",
            "safe in the clear:",
            "encrypted PKCS#8 private key (PBES2, PBKDF2 with HMAC-SHA256, AES-256-CBC)");
    }

    [Fact]
    public void With_the_password_the_certificate_of_an_encrypted_safe_is_listed_with_its_bytes()
    {
        var items = KeyInputDescriber.DescribeFile(Fixture.Path("rsa2048.pfx"), KeySource.PrivateKeyFile("rsa2048.pfx"), "PrivateKeyPath", Fixture.Passphrase);

        var certificate = items.Single(i => i.CertificateDer is not null);
        certificate.Form.Trim().Should().Be("X.509 certificate");
        CertificateThumbprint.Compute(certificate.CertificateDer).Hex.Should().Be(Fixture.Thumbprints("rsa2048.thumbprints.txt")["sha256_hex"]);
        items.Where(i => i.CertificateDer is null).Should().NotContain(i => i.Form.Contains("need the password"));
    }

    [Theory]
    [InlineData("rsa2048.pkcs8.pem", "PEM 'PRIVATE KEY': PKCS#8 private key, unencrypted, RSA")]
    [InlineData("rsa2048.pkcs1.der", "DER PKCS#1 RSA private key, unencrypted")]
    [InlineData("ec-p256.key.pem", "PEM 'PRIVATE KEY': PKCS#8 private key, unencrypted, EC (ECDSA) key")]
    [InlineData("ec-p256.sec1.pem", "PEM 'EC PRIVATE KEY': an EC (ECDSA) private key, which Entra certificate credentials cannot use (they need RSA)")]
    [InlineData("rsa2048.legacy.aes128.pem", "PEM 'RSA PRIVATE KEY': private key, encrypted with OpenSSL legacy PEM encryption, AES-128-CBC")]
    [InlineData("rsa2048.crt.der", "DER X.509 certificate")]
    public void Each_form_is_named(string fixture, string form)
    {
        Describe(fixture).Should().Equal(form);
    }

    [Fact]
    public void A_file_that_holds_no_key_or_certificate_is_refused_typed()
    {
        var path = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, "hello, not a key");
        try
        {
            var describe = () => KeyInputDescriber.DescribeFile(path, KeySource.PrivateKeyFile(path), "PrivateKeyPath", null);

            describe.Should().Throw<CertificateCredentialException>().Which.Failure.Should().Be(CertificateCredentialFailure.PrivateKeyUnreadable);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
