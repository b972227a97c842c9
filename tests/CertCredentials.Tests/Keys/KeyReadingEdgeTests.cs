using System.Formats.Asn1;
using System.Security.Cryptography;
using CertCredentials.Keys;
using CertCredentials.Tests.Infrastructure;

namespace CertCredentials.Tests.Keys;

/// <summary>Edges that surviving mutants pointed at: exact words of rare refusals, the 1024-character path limit, files that start like DER but are text.</summary>
public sealed class KeyReadingEdgeTests : IDisposable
{
    private static readonly string KeyPem = Fixture.Text("rsa2048.pkcs8.pem");
    private static readonly string Sha1 = Fixture.Thumbprints("rsa2048.thumbprints.txt")["sha1_hex"];
    private readonly string _directory = Directory.CreateTempSubdirectory("certcredentials-edges-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static string Der(Action<AsnWriter> content)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            content(writer);
        }

        return Convert.ToBase64String(writer.Encode());
    }

    [Fact]
    public void Text_of_exactly_1024_characters_is_no_longer_taken_for_a_path()
    {
        // The '.' keeps both from being base64.
        Load.Refusal(() => Load.FromText("/" + new string('a', 1021) + "."), CertificateCredentialFailure.PrivateKeyUnreadable).Message.Should().Contain("looks like a file path");
        Load.Refusal(() => Load.FromText("/" + new string('a', 1022) + "."), CertificateCredentialFailure.PrivateKeyUnreadable).Message.Should().Contain("it is neither PEM text");
    }

    [Fact]
    public void An_empty_key_file_is_refused_as_neither_pem_nor_base64()
    {
        var path = Write("empty.pem", []);
        Load.Refusal(() => Load.From(new() { PrivateKeyPath = path, CertificateThumbprint = Sha1 }), CertificateCredentialFailure.PrivateKeyUnreadable)
            .Message.Should().Contain("it is neither PEM text");
    }

    [Fact]
    public void A_text_file_whose_first_byte_happens_to_be_0x30_is_read_as_text()
    {
        var path = Write("notes.pem", System.Text.Encoding.ASCII.GetBytes("0 is where my notes start\n" + KeyPem));
        using var material = Load.From(new() { PrivateKeyPath = path, CertificateThumbprint = Sha1 });
        material.KeySize.Should().Be(2048);
    }

    [Fact]
    public void Garbage_in_a_certificate_file_is_refused_as_an_unreadable_certificate_naming_the_file()
    {
        var path = Write("cert.pem", "hello, not a certificate"u8.ToArray());
        var e = Load.Refusal(() => Load.From(new() { PrivateKey = KeyPem, CertificatePath = path }), CertificateCredentialFailure.CertificateUnreadable, KeyPem);
        e.Message.Should().StartWith($"Could not read the file '{path}' (CertificatePath): it is neither PEM text");
    }

    [Fact]
    public void Garbage_given_to_the_thumbprint_computation_is_refused_naming_the_certificate_text()
    {
        var e = Assert.Throws<CertificateCredentialException>(() => CertificateThumbprint.ComputeFromPem("hello, not a certificate"));
        e.Failure.Should().Be(CertificateCredentialFailure.CertificateUnreadable);
        e.Message.Should().StartWith("Could not read the certificate text: it is neither PEM text");
    }

    [Fact]
    public void A_key_file_readable_by_others_gives_a_warning_and_a_certificate_file_does_not()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // POSIX permissions only
        }

        var key = Write("key.pem", System.Text.Encoding.ASCII.GetBytes(KeyPem));
        var certificate = Write("cert.pem", Fixture.Bytes("rsa2048.crt.pem"));
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        File.SetUnixFileMode(certificate, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        using (var material = Load.From(new() { PrivateKeyPath = key, CertificatePath = certificate }))
        {
            material.Warnings.Should().Equal($"The private key file '{key}' can be read by its group or by other users (mode 640). Restrict it: chmod 600 '{key}'.");
        }

        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var quiet = Load.From(new() { PrivateKeyPath = key, CertificatePath = certificate });
        quiet.Warnings.Should().BeEmpty();
    }

    [Fact]
    public void A_corrupt_pkcs1_key_is_refused_with_its_format_named()
    {
        var pem = $"-----BEGIN RSA PRIVATE KEY-----\n{Der(w => { w.WriteInteger(0); w.WriteInteger(5); w.WriteInteger(3); })}\n-----END RSA PRIVATE KEY-----";
        Load.Refusal(() => Load.FromText(pem, thumbprint: Sha1), CertificateCredentialFailure.PrivateKeyUnreadable).Message
            .Should().Be("Could not read the PrivateKey option: the RSA (PKCS#1) private key is corrupt or truncated (its ASN.1 structure does not parse). Copy or export it again.");
    }

    [Fact]
    public void A_pkcs8_shaped_key_that_does_not_decode_is_refused_with_its_format_named()
    {
        var pem = $"-----BEGIN PRIVATE KEY-----\n{Der(w => { w.WriteInteger(0); using (w.PushSequence()) { w.WriteObjectIdentifier(Oids.Rsa); } w.WriteInteger(5); })}\n-----END PRIVATE KEY-----";
        Load.Refusal(() => Load.FromText(pem, thumbprint: Sha1), CertificateCredentialFailure.PrivateKeyUnreadable).Message
            .Should().Be("Could not read the PrivateKey option: the PKCS#8 private key is corrupt or truncated (its ASN.1 structure does not parse). Copy or export it again.");
    }

    [Fact]
    public void The_openssh_refusal_gives_both_ways_out()
    {
        Load.Refusal(() => Load.FromText("-----BEGIN OPENSSH PRIVATE KEY-----\nAQID\n-----END OPENSSH PRIVATE KEY-----"), CertificateCredentialFailure.PrivateKeyUnreadable)
            .Message.Should().StartWith("The PrivateKey option holds an OpenSSH private key (BEGIN OPENSSH PRIVATE KEY), which is not an X.509 key format. " +
                                        "Convert an RSA one with: ssh-keygen -p -m PKCS8 -f <file> (it rewrites the file as BEGIN PRIVATE KEY), or better make a dedicated key: Make an RSA key and certificate with: openssl req -x509");
    }

    [Fact]
    public void A_key_with_neither_certificate_nor_thumbprint_is_refused_in_full_words()
    {
        Load.Refusal(() => Load.FromText(KeyPem), CertificateCredentialFailure.ThumbprintMissing, KeyPem).Message.Should().Be(
            "Neither a certificate nor a certificate thumbprint was given, so Entra could not tell which registered certificate signed the assertion. " +
            "Set Certificate or CertificatePath to the certificate uploaded to the app registration, or set CertificateThumbprint to the thumbprint the Azure portal shows for it.");
    }

    [Fact]
    public void A_certificate_given_twice_still_counts_as_one_certificate_in_a_mismatch()
    {
        Load.Refusal(() => Load.FromText(Fixture.Text("other.key.pem"), certificate: Fixture.Text("rsa2048.crt.pem") + Fixture.Text("rsa2048.crt.pem")),
            CertificateCredentialFailure.KeyCertificateMismatch).Message.Should().StartWith("The private key does not belong to the certificate 'CN=CertCredentials Test rsa2048'");
    }

    [Fact]
    public void A_legacy_key_that_decrypts_to_a_corrupt_key_names_the_cipher()
    {
        var der = Convert.FromBase64String(Der(w => { w.WriteInteger(0); w.WriteInteger(5); w.WriteInteger(3); }));
        var iv = Convert.FromHexString("00112233445566778899AABBCCDDEEFF");
        using var aes = Aes.Create();
        aes.Key = LegacyPemDecryptor.BytesToKey("pw"u8, iv.AsSpan(0, 8), 16);
        var pem = $"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\n{Convert.ToBase64String(aes.EncryptCbc(der, iv))}\n-----END RSA PRIVATE KEY-----";
        Load.Refusal(() => Load.FromText(pem, "pw", thumbprint: Sha1), CertificateCredentialFailure.PassphraseIncorrect).Message
            .Should().StartWith("The PrivateKeyPassphrase does not decrypt the key (OpenSSL legacy PEM encryption, AES-128-CBC) in the PrivateKey option.");
    }
}
