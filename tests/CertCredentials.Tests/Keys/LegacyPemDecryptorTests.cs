using System.Text;
using CertCredentials.Keys;
using CertCredentials.Tests.Infrastructure;

namespace CertCredentials.Tests.Keys;

/// <summary>OpenSSL's traditional PEM encryption: EVP_BytesToKey exactly as openssl computes it, each cipher, and each refusal.</summary>
public sealed class LegacyPemDecryptorTests
{
    private static readonly KeySource Source = KeySource.PrivateKeyOption;

    // openssl enc -aes-256-cbc -P -md md5 -pass pass:Test-Passphrase-1! -S 0011223344556677: key (32 bytes) then iv (16 bytes)
    // are the first 48 bytes of EVP_BytesToKey(MD5, 1 iteration): D1 || D2 || D3.
    private const string OpensslKeyThenIv = "69AC1FF695181DE553E6C1E53E59D66E5375F7C5639FA9A840EA8224494170B8" + "BA8D050AA82EC7525530C5206C21DA79";

    [Theory]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(24)]
    [InlineData(32)]
    [InlineData(48)]
    [InlineData(5)]
    public void Derives_the_key_openssl_derives(int keyBytes)
    {
        var key = LegacyPemDecryptor.BytesToKey(Encoding.UTF8.GetBytes(Fixture.Passphrase), Convert.FromHexString("0011223344556677"), keyBytes);
        Convert.ToHexString(key).Should().Be(OpensslKeyThenIv[..(keyBytes * 2)]);
    }

    [Theory]
    [InlineData("rsa2048.legacy.aes128.pem", "AES-128-CBC")]
    [InlineData("rsa2048.legacy.aes192.pem", "AES-192-CBC")]
    [InlineData("rsa2048.legacy.aes256.pem", "AES-256-CBC")]
    [InlineData("rsa2048.legacy.des3.pem", "DES-EDE3-CBC")]
    [InlineData("rsa2048.legacy.des.pem", "DES-CBC")]
    public void Decrypts_each_cipher_to_the_pkcs1_der_of_the_key(string file, string cipher)
    {
        var block = Block(Fixture.Text(file));
        LegacyPemDecryptor.Describe(block).Should().Be($"OpenSSL legacy PEM encryption, {cipher}");
        var der = LegacyPemDecryptor.Decrypt(block, Fixture.Passphrase, Source);
        DerClassifier.Classify(der).Should().Be(DerKind.Pkcs1);
        der.Should().Equal(Block(Fixture.Text("rsa2048.pkcs1.pem")).Der);
    }

    [Fact]
    public void Refuses_an_encrypted_block_without_dek_info()
    {
        var block = new PemBlock("RSA PRIVATE KEY", "4,ENCRYPTED", null, [1, 2, 3]);
        var e = Assert.Throws<CertificateCredentialException>(() => LegacyPemDecryptor.Decrypt(block, Fixture.Passphrase, Source));
        e.Failure.Should().Be(CertificateCredentialFailure.PrivateKeyUnreadable);
        e.Message.Should().Be("Could not read the PrivateKey option: the PEM block 'RSA PRIVATE KEY' says Proc-Type: 4,ENCRYPTED but has no DEK-Info line naming its cipher.");
        LegacyPemDecryptor.Describe(block).Should().Be("OpenSSL legacy PEM encryption, unknown cipher");
    }

    [Fact]
    public void Refuses_a_cipher_it_cannot_decrypt_naming_it()
    {
        var block = new PemBlock("RSA PRIVATE KEY", "4,ENCRYPTED", "BF-CBC,0011223344556677", [1, 2, 3]);
        var e = Assert.Throws<CertificateCredentialException>(() => LegacyPemDecryptor.Decrypt(block, Fixture.Passphrase, Source));
        e.Failure.Should().Be(CertificateCredentialFailure.EncryptionUnsupported);
        e.Message.Should().StartWith("The PrivateKey option is encrypted with OpenSSL's legacy PEM encryption with BF-CBC, which this library cannot decrypt.")
            .And.Contain("openssl pkcs8 -topk8 -v2 aes-256-cbc");
    }

    [Theory]
    [InlineData("AES-128-CBC,0011", 32, 4)]
    [InlineData("AES-256-CBC,00112233445566778899AABBCCDDEEFF00", 32, 34)]
    [InlineData("DES-EDE3-CBC,00112233445566778899AABBCCDDEEFF", 16, 32)]
    public void Refuses_an_iv_of_the_wrong_length(string dekInfo, int expected, int actual)
    {
        var block = new PemBlock("RSA PRIVATE KEY", "4,ENCRYPTED", dekInfo, [1, 2, 3]);
        var e = Assert.Throws<CertificateCredentialException>(() => LegacyPemDecryptor.Decrypt(block, Fixture.Passphrase, Source));
        e.Failure.Should().Be(CertificateCredentialFailure.PrivateKeyUnreadable);
        e.Message.Should().Contain($"the DEK-Info IV for {dekInfo[..dekInfo.IndexOf(',', StringComparison.Ordinal)]} must be {expected} hex digits, and it has {actual}");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Asks_for_the_passphrase_naming_the_cipher(string? passphrase)
    {
        var block = Block(Fixture.Text("rsa2048.legacy.des3.pem"));
        var e = Assert.Throws<CertificateCredentialException>(() => LegacyPemDecryptor.Decrypt(block, passphrase, Source));
        e.Failure.Should().Be(CertificateCredentialFailure.PassphraseRequired);
        e.Message.Should().Contain("a key encrypted with OpenSSL's legacy PEM encryption (DES-EDE3-CBC)");
    }

    [Fact]
    public void A_wrong_passphrase_is_refused_as_incorrect_with_the_decryption_error_inside()
    {
        var block = Block(Fixture.Text("rsa2048.legacy.aes256.pem"));
        var e = Assert.Throws<CertificateCredentialException>(() => LegacyPemDecryptor.Decrypt(block, "wrong", Source));
        e.Failure.Should().Be(CertificateCredentialFailure.PassphraseIncorrect);
        e.Message.Should().Contain("the key (OpenSSL legacy PEM encryption, AES-256-CBC)");
        e.InnerException.Should().BeAssignableTo<System.Security.Cryptography.CryptographicException>();
    }

    [Fact]
    public void Ciphertext_that_is_not_whole_blocks_is_refused_as_a_wrong_passphrase()
    {
        var block = new PemBlock("RSA PRIVATE KEY", "4,ENCRYPTED", "AES-128-CBC,00112233445566778899AABBCCDDEEFF", [1, 2, 3]);
        Assert.Throws<CertificateCredentialException>(() => LegacyPemDecryptor.Decrypt(block, Fixture.Passphrase, Source))
            .Failure.Should().Be(CertificateCredentialFailure.PassphraseIncorrect);
    }

    [Fact]
    public void A_legacy_block_that_decrypts_to_something_other_than_a_key_is_refused_as_a_wrong_passphrase()
    {
        // Encrypt a certificate's DER as if it were a key: it decrypts cleanly but is no key.
        var certificate = Fixture.Bytes("rsa2048.crt.der");
        var iv = Convert.FromHexString("00112233445566778899AABBCCDDEEFF");
        using var aes = System.Security.Cryptography.Aes.Create();
        aes.Key = LegacyPemDecryptor.BytesToKey(Encoding.UTF8.GetBytes("pw"), iv.AsSpan(0, 8), 16);
        var encrypted = aes.EncryptCbc(certificate, iv);
        var pem = $"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\n{Convert.ToBase64String(encrypted)}\n-----END RSA PRIVATE KEY-----";

        var e = Load.Refusal(() => Load.FromText(pem, "pw", thumbprint: Fixture.Thumbprints("rsa2048.thumbprints.txt")["sha1_hex"]), CertificateCredentialFailure.PassphraseIncorrect);
        e.Message.Should().Contain("does not decrypt the key (OpenSSL legacy PEM encryption, AES-128-CBC)");
    }

    [Fact]
    public void A_legacy_block_holding_pkcs8_decrypts_to_the_key()
    {
        var der = Block(Fixture.Text("rsa2048.pkcs8.pem")).Der;
        DerClassifier.Classify(der).Should().Be(DerKind.Pkcs8);
        var iv = Convert.FromHexString("00112233445566778899AABBCCDDEEFF");
        using var aes = System.Security.Cryptography.Aes.Create();
        aes.Key = LegacyPemDecryptor.BytesToKey(Encoding.UTF8.GetBytes("pw"), iv.AsSpan(0, 8), 32);
        var pem = $"-----BEGIN PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00112233445566778899AABBCCDDEEFF\n\n{Convert.ToBase64String(aes.EncryptCbc(der, iv))}\n-----END PRIVATE KEY-----";

        using var material = Load.FromText(pem, "pw", Fixture.Text("rsa2048.crt.pem"));
        material.KeySize.Should().Be(2048);
    }

    [Fact]
    public void A_legacy_block_holding_a_corrupt_key_is_refused_as_a_wrong_passphrase_with_the_parse_error_inside()
    {
        // Shaped like PKCS#1 (version, then integers) but missing most of its fields.
        var writer = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(0);
            writer.WriteInteger(5);
            writer.WriteInteger(3);
        }

        var iv = Convert.FromHexString("00112233445566778899AABBCCDDEEFF");
        using var aes = System.Security.Cryptography.Aes.Create();
        aes.Key = LegacyPemDecryptor.BytesToKey(Encoding.UTF8.GetBytes("pw"), iv.AsSpan(0, 8), 16);
        var pem = $"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\n{Convert.ToBase64String(aes.EncryptCbc(writer.Encode(), iv))}\n-----END RSA PRIVATE KEY-----";

        var e = Load.Refusal(() => Load.FromText(pem, "pw", thumbprint: Fixture.Thumbprints("rsa2048.thumbprints.txt")["sha1_hex"]), CertificateCredentialFailure.PassphraseIncorrect);
        e.InnerException.Should().BeOfType<CertificateCredentialException>().Which.Failure.Should().Be(CertificateCredentialFailure.PrivateKeyUnreadable);
    }

    private static PemBlock Block(string pem) => PemReader.ReadBlocks(PastedText.Normalize(pem), Source).Single(b => b.Label.Contains("PRIVATE KEY", StringComparison.Ordinal));
}
