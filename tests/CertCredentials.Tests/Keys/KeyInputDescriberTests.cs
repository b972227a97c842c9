using System.Security.Cryptography;
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
    [InlineData("rsa2048.pkcs1.pem", "PEM 'RSA PRIVATE KEY': PKCS#1 RSA private key, unencrypted")]
    [InlineData("rsa2048.pkcs8.aes256-sha256.pem", "PEM 'ENCRYPTED PRIVATE KEY': encrypted PKCS#8 private key (PBES2, PBKDF2 with HMAC-SHA256, AES-256-CBC)")]
    [InlineData("rsa2048.pkcs8.der", "DER PKCS#8 private key, unencrypted, RSA")]
    [InlineData("rsa2048.pkcs8.b64.txt", "base64 text of PKCS#8 private key, unencrypted, RSA")]
    [InlineData("rsa2048.crt.pem", "PEM 'CERTIFICATE': X.509 certificate")]
    [InlineData("rsa2048.openssh.txt", "PEM 'OPENSSH PRIVATE KEY': an OpenSSH private key, not an X.509 key format")]
    public void Each_form_is_named(string fixture, string form)
    {
        Describe(fixture).Should().Equal(form);
    }

    [Fact]
    public void A_file_that_holds_no_key_or_certificate_is_refused_typed()
    {
        var describe = () => DescribeItems("hello, not a key");

        describe.Should().Throw<CertificateCredentialException>().Which.Failure.Should().Be(CertificateCredentialFailure.PrivateKeyUnreadable);
    }

    [Fact]
    public void A_bundle_is_named_block_by_block_in_its_order()
    {
        Describe("rsa2048.bundle.key-then-cert.pem").Should().Equal(
            "PEM 'PRIVATE KEY': PKCS#8 private key, unencrypted, RSA",
            "PEM 'CERTIFICATE': X.509 certificate");
    }

    [Theory]
    [InlineData("PRIVATE KEY")]
    [InlineData("ENCRYPTED PRIVATE KEY")]
    [InlineData("RSA PRIVATE KEY")]
    public void Legacy_encryption_headers_are_named_under_every_private_key_label(string label)
    {
        var text = Fixture.Text("rsa2048.legacy.aes128.pem").Replace("RSA PRIVATE KEY", label, StringComparison.Ordinal);

        DescribeText(text).Should().Equal($"PEM '{label}': private key, encrypted with OpenSSL legacy PEM encryption, AES-128-CBC");
    }

    [Theory]
    [InlineData("CERTIFICATE")]
    [InlineData("X509 CERTIFICATE")]
    [InlineData("TRUSTED CERTIFICATE")]
    public void Every_certificate_label_is_named_a_certificate_with_its_bytes(string label)
    {
        var text = Fixture.Text("rsa2048.crt.pem").Replace("CERTIFICATE", label, StringComparison.Ordinal);

        var item = DescribeItems(text).Should().ContainSingle().Subject;
        item.Form.Should().Be($"PEM '{label}': X.509 certificate");
        item.CertificateDer.Should().Equal(Fixture.Certificate("rsa2048.crt.pem").RawData);
    }

    [Fact]
    public void Public_keys_dsa_and_unknown_blocks_are_named_for_what_they_are()
    {
        using var rsa = RSA.Create(2048);
        var dsa = "-----BEGIN DSA PRIVATE KEY-----\nAQID\n-----END DSA PRIVATE KEY-----\n";
        var crl = "-----BEGIN X509 CRL-----\nAQID\n-----END X509 CRL-----\n";

        DescribeText(rsa.ExportSubjectPublicKeyInfoPem() + "\n" + rsa.ExportRSAPublicKeyPem() + "\n" + dsa + crl).Should().Equal(
            "PEM 'PUBLIC KEY': a public key (not a private key)",
            "PEM 'RSA PUBLIC KEY': a public key (not a private key)",
            "PEM 'DSA PRIVATE KEY': a DSA private key, which Entra certificate credentials cannot use (they need RSA)",
            "PEM 'X509 CRL': not a key or certificate (ignored)");
    }

    [Fact]
    public void A_der_public_key_is_named_a_public_key()
    {
        using var rsa = RSA.Create(2048);

        DescribeBytes(rsa.ExportSubjectPublicKeyInfo()).Should().Equal("DER a public key (not a private key)");
    }

    [Fact]
    public void With_the_password_a_pfx_names_its_encrypted_safe_as_opened_and_its_key()
    {
        Describe("rsa2048.pfx", Fixture.Passphrase).Should().Equal(
            "DER PKCS#12 (.pfx/.p12), password-protected (MAC with SHA-256)",
            "safe encrypted with PBES2, PBKDF2 with HMAC-SHA256, AES-256-CBC:",
            "X.509 certificate",
            "safe in the clear:",
            "encrypted PKCS#8 private key (PBES2, PBKDF2 with HMAC-SHA256, AES-256-CBC)");
    }

    [Fact]
    public void A_wrong_password_describes_the_pfx_as_far_as_no_password_does()
    {
        Describe("rsa2048.pfx", "not the password").Should().Equal(Describe("rsa2048.pfx"));
    }

    private static List<string> DescribeText(string text) => [.. DescribeItems(text).Select(i => i.Form.Trim())];

    private static List<KeyInputItem> DescribeItems(string text) => DescribeWritten("input.pem", path => File.WriteAllText(path, text));

    private static List<string> DescribeBytes(byte[] der) => [.. DescribeWritten("input.der", path => File.WriteAllBytes(path, der)).Select(i => i.Form.Trim())];

    private static List<KeyInputItem> DescribeWritten(string name, Action<string> write)
    {
        using var folder = new TempFolder();
        var path = folder.File(name);
        write(path);
        return [.. KeyInputDescriber.DescribeFile(path, KeySource.PrivateKeyFile(path), "PrivateKeyPath", null)];
    }
}
