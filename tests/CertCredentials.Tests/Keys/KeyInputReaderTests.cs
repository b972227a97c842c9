using System.Security.Cryptography;
using CertCredentials.Keys;
using CertCredentials.Tests.Infrastructure;

namespace CertCredentials.Tests.Keys;

/// <summary>
/// One input read by content: which text is taken for a path, the size limit at its edge, base64 that decodes to
/// nothing known, and what each PEM label is taken for.
/// </summary>
public sealed class KeyInputReaderTests : IDisposable
{
    private static readonly string KeyPem = Fixture.Text("rsa2048.pkcs8.pem");
    private static readonly string Sha1 = Fixture.Thumbprints("rsa2048.thumbprints.txt")["sha1_hex"];
    private readonly string _directory = Directory.CreateTempSubdirectory("certcredentials-reader-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("/etc/keys/app")]
    [InlineData("~/app")]
    [InlineData("./app")]
    [InlineData("../app")]
    [InlineData(@"\\server\share\app")]
    [InlineData(@"C:\keys\app")]
    [InlineData("app.pem")]
    [InlineData("APP.PFX")]
    [InlineData("app.p12")]
    [InlineData("app.key")]
    [InlineData("app.crt")]
    [InlineData("app.cer")]
    public void Text_that_looks_like_a_path_is_refused_with_the_path_option_to_use(string text)
    {
        Load.Refusal(() => Load.FromText(text), CertificateCredentialFailure.PrivateKeyUnreadable).Message
            .Should().Be("Could not read the PrivateKey option: it looks like a file path, not key text. Put a path in PrivateKeyPath instead of PrivateKey.");
        Load.Refusal(() => Load.FromText(KeyPem, certificate: text), CertificateCredentialFailure.CertificateUnreadable, KeyPem).Message
            .Should().Be("Could not read the Certificate option: it looks like a file path, not key text. Put a path in CertificatePath instead of Certificate.");
    }

    [Theory]
    [InlineData("C:")]
    [InlineData("app.pem\nmore")]
    [InlineData("app.txt")]
    [InlineData("1:/x")]
    public void Text_that_does_not_look_like_a_path_is_refused_as_neither_pem_nor_base64(string text)
    {
        Load.Refusal(() => Load.FromText(text), CertificateCredentialFailure.PrivateKeyUnreadable).Message
            .Should().Be("Could not read the PrivateKey option: it is neither PEM text (-----BEGIN PRIVATE KEY----- ...) nor base64 of a PKCS#12 (.pfx) file or DER key. " +
                         "Give the PEM exactly as exported, including its BEGIN and END lines, or the base64 text of a .pfx file as Azure Key Vault stores it.");
    }

    [Fact]
    public void A_path_longer_than_any_path_is_not_taken_for_one()
    {
        Load.Refusal(() => Load.FromText("/" + new string('a', 1100)), CertificateCredentialFailure.PrivateKeyUnreadable).Message.Should().Contain("it is neither PEM text");
    }

    [Fact]
    public void A_file_whose_text_looks_like_a_path_is_refused_as_neither_pem_nor_base64()
    {
        var path = Write("pointer.txt", "/etc/keys/app.pem"u8.ToArray());
        Load.Refusal(() => Load.From(new() { PrivateKeyPath = path, CertificateThumbprint = Sha1 }), CertificateCredentialFailure.PrivateKeyUnreadable).Message
            .Should().Contain("it is neither PEM text").And.Contain(path);
    }

    [Fact]
    public void Text_of_exactly_the_size_limit_is_read_and_one_more_character_is_refused()
    {
        var atLimit = KeyPem + new string(' ', KeyInputReader.MaxInputBytes - KeyPem.Length);
        atLimit.Length.Should().Be(KeyInputReader.MaxInputBytes);
        using (var material = Load.FromText(atLimit, thumbprint: Sha1))
        {
            material.KeySize.Should().Be(2048);
        }

        Load.Refusal(() => Load.FromText(atLimit + " ", thumbprint: Sha1), CertificateCredentialFailure.PrivateKeyUnreadable, KeyPem).Message
            .Should().Be($"Could not read the PrivateKey option: it is {KeyInputReader.MaxInputBytes + 1} characters long, far larger than a key or certificate (the limit is 1048576). Check that the right value was given.");
    }

    [Fact]
    public void A_file_of_exactly_the_size_limit_is_read_and_one_byte_more_is_refused()
    {
        var atLimit = Write("limit.pem", System.Text.Encoding.ASCII.GetBytes(KeyPem + new string(' ', KeyInputReader.MaxInputBytes - KeyPem.Length)));
        using (var material = Load.From(new() { PrivateKeyPath = atLimit, CertificateThumbprint = Sha1 }))
        {
            material.KeySize.Should().Be(2048);
        }

        var over = Write("over.pem", System.Text.Encoding.ASCII.GetBytes(KeyPem + new string(' ', KeyInputReader.MaxInputBytes + 1 - KeyPem.Length)));
        var e = Load.Refusal(() => Load.From(new() { PrivateKeyPath = over, CertificateThumbprint = Sha1 }), CertificateCredentialFailure.FileUnreadable);
        e.Message.Should().Be($"The file '{over}' given in PrivateKeyPath is 1048577 bytes, far larger than a key or certificate file (the limit is 1048576 bytes). Check that the path names the right file.");
    }

    [Fact]
    public void Base64_that_decodes_to_nothing_known_says_so()
    {
        var e = Load.Refusal(() => Load.FromText(Convert.ToBase64String(RandomNumberGenerator.GetBytes(300))), CertificateCredentialFailure.PrivateKeyUnreadable);
        e.Message.Should().Be("Could not read the PrivateKey option: it is base64, but what it decodes to is neither a PKCS#12 (.pfx) file, a DER key nor a certificate. If it was cut short when copied, copy it again.");
    }

    [Fact]
    public void A_binary_file_of_nothing_known_is_refused_as_neither_pem_nor_base64()
    {
        var path = Write("random.bin", [0x30, 0x03, 0x02, 0x01, 0x09, .. RandomNumberGenerator.GetBytes(50)]);
        Load.Refusal(() => Load.From(new() { PrivateKeyPath = path, CertificateThumbprint = Sha1 }), CertificateCredentialFailure.PrivateKeyUnreadable)
            .Message.Should().StartWith($"Could not read the file '{path}' (PrivateKeyPath): it is neither PEM text");
    }

    [Fact]
    public void An_empty_key_file_holds_no_private_key()
    {
        var path = Write("empty.pem", []);
        Load.Refusal(() => Load.From(new() { PrivateKeyPath = path, CertificateThumbprint = Sha1 }), CertificateCredentialFailure.PrivateKeyUnreadable);
    }

    [Fact]
    public void A_der_pkcs8_file_and_a_der_certificate_file_are_read_by_content()
    {
        var key = Write("key.bin", PemReader.ReadBlocks(PastedText.Normalize(KeyPem), KeySource.PrivateKeyOption).Single().Der);
        var certificate = Write("cert.bin", Fixture.Bytes("rsa2048.crt.der"));
        using var material = Load.From(new() { PrivateKeyPath = key, CertificatePath = certificate });
        material.Certificate!.RawData.Should().Equal(Fixture.Bytes("rsa2048.crt.der"));
    }

    [Fact]
    public void A_der_encrypted_pkcs8_file_is_read_by_content()
    {
        var der = PemReader.ReadBlocks(PastedText.Normalize(Fixture.Text("rsa2048.pkcs8.aes256-sha256.pem")), KeySource.PrivateKeyOption).Single().Der;
        var path = Write("key.p8", der);
        using var material = Load.From(new() { PrivateKeyPath = path, PrivateKeyPassphrase = Fixture.Passphrase, CertificateThumbprint = Sha1 });
        material.KeySize.Should().Be(2048);
    }

    [Fact]
    public void A_der_sec1_ec_key_file_is_refused_as_not_rsa()
    {
        var der = PemReader.ReadBlocks(PastedText.Normalize(Fixture.Text("ec-p256.sec1.pem")), KeySource.PrivateKeyOption).Single().Der;
        Load.Refusal(() => Load.From(new() { PrivateKeyPath = Write("ec.der", der), CertificateThumbprint = Sha1 }), CertificateCredentialFailure.PrivateKeyNotRsa)
            .Message.Should().Contain("holds an EC (ECDSA) key");
    }

    [Fact]
    public void A_der_public_key_file_is_refused_as_a_public_key()
    {
        using var certificate = Fixture.Certificate("rsa2048.crt.pem");
        using var publicKey = certificate.GetRSAPublicKey()!;
        Load.Refusal(() => Load.From(new() { PrivateKeyPath = Write("public.der", publicKey.ExportSubjectPublicKeyInfo()), CertificateThumbprint = Sha1 }),
            CertificateCredentialFailure.PrivateKeyMissing).Message.Should().Contain("holds a public key, not a private key");
    }

    [Fact]
    public void A_dsa_key_block_is_refused_as_not_rsa()
    {
        Load.Refusal(() => Load.FromText("-----BEGIN DSA PRIVATE KEY-----\nAQID\n-----END DSA PRIVATE KEY-----"), CertificateCredentialFailure.PrivateKeyNotRsa)
            .Message.Should().StartWith("The PrivateKey option holds a DSA key.");
    }

    [Fact]
    public void An_unknown_private_key_block_is_refused_naming_its_label()
    {
        Load.Refusal(() => Load.FromText("-----BEGIN FANCY PRIVATE KEY-----\nAQID\n-----END FANCY PRIVATE KEY-----"), CertificateCredentialFailure.PrivateKeyUnreadable)
            .Message.Should().Be("Could not read the PrivateKey option: 'FANCY PRIVATE KEY' is not a key format this library reads; export the key as PKCS#8 (openssl pkcs8 -topk8 ...).");
    }

    [Fact]
    public void Other_blocks_next_to_a_key_are_ignored()
    {
        using var material = Load.FromText("-----BEGIN X509 CRL-----\nAQID\n-----END X509 CRL-----\n" + KeyPem + "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n", thumbprint: Sha1);
        material.KeySize.Should().Be(2048);
    }

    [Fact]
    public void An_rsa_public_key_block_is_refused_as_a_public_key()
    {
        using var certificate = Fixture.Certificate("rsa2048.crt.pem");
        using var publicKey = certificate.GetRSAPublicKey()!;
        Load.Refusal(() => Load.FromText(publicKey.ExportRSAPublicKeyPem()), CertificateCredentialFailure.PrivateKeyMissing)
            .Message.Should().Contain("holds a public key");
    }

    [Theory]
    [InlineData("X509 CERTIFICATE")]
    [InlineData("TRUSTED CERTIFICATE")]
    public void Older_certificate_labels_are_read_as_certificates(string label)
    {
        // openssl's TRUSTED CERTIFICATE appends trust settings after the certificate; they are cut off.
        byte[] der = [.. Fixture.Bytes("rsa2048.crt.der"), .. (label.StartsWith("TRUSTED", StringComparison.Ordinal) ? new byte[] { 0x30, 0x03, 0x02, 0x01, 0x00 } : [])];
        using var material = Load.FromText(KeyPem, certificate: new string(PemEncoding.Write(label, der)));
        material.Certificate!.RawData.Should().Equal(Fixture.Bytes("rsa2048.crt.der"));
    }

    [Fact]
    public void A_certificate_block_that_does_not_parse_is_refused_as_a_corrupt_certificate()
    {
        var e = Load.Refusal(() => Load.FromText(KeyPem, certificate: "-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----"), CertificateCredentialFailure.CertificateUnreadable, KeyPem);
        e.Message.Should().Be("Could not read the Certificate option: the certificate is corrupt or truncated (its ASN.1 structure does not parse). Copy or export it again.");
        e.InnerException.Should().BeAssignableTo<CryptographicException>();
    }

    [Fact]
    public void A_certificate_in_the_key_input_and_its_key_in_the_certificate_input_still_pair_up()
    {
        using var material = Load.FromText(Fixture.Text("rsa2048.crt.pem"), certificate: KeyPem);
        material.Certificate.Should().NotBeNull();
    }

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
