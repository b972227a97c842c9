using System.Security.Cryptography.X509Certificates;
using CertCredentials.Tests.Infrastructure;

namespace CertCredentials.Tests.Keys;

/// <summary>Every refusal is a typed exception whose message names the problem and the fix, and holds no secret.</summary>
public sealed class KeyRefusalTests
{
    private const string P = Fixture.Passphrase;
    private static readonly string KeyPem = Fixture.Text("rsa2048.pkcs8.pem");

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   \n ")]
    public void Refuses_empty_key_input(string? key)
    {
        var e = Load.Refusal(() => Load.FromText(key!), CertificateCredentialFailure.PrivateKeyMissing);
        e.Message.Should().Contain("No private key was given").And.Contain("PrivateKeyPath");
    }

    [Theory]
    [InlineData("hello world, this is not a key")]
    [InlineData("{\"kty\":\"RSA\"}")]
    public void Refuses_garbage(string garbage)
    {
        var e = Load.Refusal(() => Load.FromText(garbage), CertificateCredentialFailure.PrivateKeyUnreadable);
        e.Message.Should().Contain("neither PEM text").And.Contain("PKCS#12");
        e.Message.Should().NotContain(garbage, "the input is never echoed");
    }

    [Fact]
    public void Refuses_truncated_pem_without_end_line()
    {
        var truncated = KeyPem[..(KeyPem.Length / 2)];
        var e = Load.Refusal(() => Load.FromText(truncated), CertificateCredentialFailure.PrivateKeyUnreadable, KeyPem);
        e.Message.Should().Contain("has no '-----END PRIVATE KEY-----' line").And.Contain("cut short");
    }

    [Fact]
    public void Refuses_pem_with_lines_missing_from_its_body()
    {
        var lines = KeyPem.Split('\n').ToList();
        lines.RemoveRange(5, 3);
        var e = Load.Refusal(() => Load.FromText(string.Join('\n', lines)), CertificateCredentialFailure.PrivateKeyUnreadable, KeyPem);
        e.Message.Should().ContainAny("corrupt or truncated", "is corrupt");
    }

    [Fact]
    public void Refuses_corrupt_base64_inside_pem()
    {
        var lines = KeyPem.Split('\n');
        lines[3] = lines[3][..10] + "*%$" + lines[3][13..];
        var e = Load.Refusal(() => Load.FromText(string.Join('\n', lines)), CertificateCredentialFailure.PrivateKeyUnreadable, KeyPem);
        e.Message.Should().Contain("base64 inside the PEM block 'PRIVATE KEY' is corrupt");
    }

    [Fact]
    public void Refuses_a_key_whose_parts_do_not_fit_together()
    {
        // Flip one byte deep inside the DER (inside the prime factors): it still parses but no longer signs correctly.
        var der = Fixture.Bytes("rsa2048.pkcs8.der");
        der[der.Length - 40] ^= 0x01;
        var pem = new string(System.Security.Cryptography.PemEncoding.Write("PRIVATE KEY", der));
        var e = Load.Refusal(() => Load.FromText(pem, thumbprint: Fixture.Thumbprints("rsa2048.thumbprints.txt")["sha1_hex"]),
            CertificateCredentialFailure.PrivateKeyUnreadable, pem);
        e.Message.Should().Contain("corrupt");
    }

    [Fact]
    public void Refuses_truncated_base64_pkcs12()
    {
        var text = Fixture.Text("rsa2048.pfx.b64.txt");
        var cut = text[..(text.Length / 2 / 4 * 4)];
        var e = Load.Refusal(() => Load.FromText(cut, P), CertificateCredentialFailure.PrivateKeyUnreadable, P);
        e.Message.Should().ContainAny("corrupt or truncated", "cut short");
    }

    [Theory]
    [InlineData("rsa2048.crt.pem")]
    [InlineData("cert-only.pfx")]
    public void Refuses_a_certificate_with_no_key(string file)
    {
        var e = Load.Refusal(() => Load.FromFile(file, P), CertificateCredentialFailure.CertificateWithoutPrivateKey, P);
        e.Message.Should().Contain("holds a certificate but no private key").And.Contain("BEGIN PRIVATE KEY");
    }

    [Theory]
    [InlineData("ec-p256.key.pem", null, "an EC (ECDSA) key")]
    [InlineData("ec-p256.sec1.pem", null, "an EC (ECDSA) key")]
    [InlineData("ec-p256.pfx", P, "an EC (ECDSA) key")]
    [InlineData("ec-p256.pkcs8.encrypted.pem", P, "an EC (ECDSA) key")]
    [InlineData("ed25519.key.pem", null, "an Ed25519 key")]
    [InlineData("ed25519.pkcs8.encrypted.pem", P, "an Ed25519 key")]
    public void Refuses_non_rsa_keys_saying_entra_needs_rsa(string file, string? passphrase, string what)
    {
        var e = Load.Refusal(() => Load.FromFile(file, passphrase), CertificateCredentialFailure.PrivateKeyNotRsa, Fixture.Text(file), P);
        e.Message.Should().Contain(what).And.Contain("need an RSA key").And.Contain("openssl req -x509 -newkey rsa:2048");
    }

    [Fact]
    public void Refuses_rsa_under_2048_bits()
    {
        var e = Load.Refusal(() => Load.FromFile("rsa1024.key.pem", certificateFixture: "rsa1024.crt.pem"),
            CertificateCredentialFailure.PrivateKeyTooSmall, Fixture.Text("rsa1024.key.pem"));
        e.Message.Should().Contain("1024 bits").And.Contain("AADSTS50032").And.Contain("rsa:2048");
    }

    [Theory]
    [InlineData("rsa2048.pkcs8.aes256-sha256.pem", "PBES2, PBKDF2 with HMAC-SHA256, AES-256-CBC")]
    [InlineData("rsa2048.legacy.aes256.pem", "legacy PEM encryption (AES-256-CBC)")]
    [InlineData("rsa2048.pfx", "password-protected PKCS#12")]
    [InlineData("rsa2048.pfx-nocerts.pem", "encrypted PKCS#8")]
    public void Refuses_encrypted_key_without_passphrase(string file, string what)
    {
        var e = Load.Refusal(() => Load.FromFile(file), CertificateCredentialFailure.PassphraseRequired);
        e.Message.Should().Contain(what).And.Contain("no PrivateKeyPassphrase is set");
    }

    [Theory]
    [InlineData("rsa2048.pkcs8.aes256-sha256.pem")]
    [InlineData("rsa2048.pkcs8.aes128-sha1.pem")]
    [InlineData("rsa2048.pkcs8.pbe-sha1-3des.pem")]
    [InlineData("rsa2048.legacy.aes256.pem")]
    [InlineData("rsa2048.legacy.des3.pem")]
    [InlineData("rsa2048.pfx")]
    [InlineData("rsa2048.legacy.pfx")]
    public void Refuses_wrong_passphrase(string file)
    {
        const string wrong = "Wrong-Passphrase-9?";
        var e = Load.Refusal(() => Load.FromFile(file, wrong), CertificateCredentialFailure.PassphraseIncorrect, wrong, P);
        e.Message.Should().Contain("does not decrypt").And.Contain("Check the passphrase");
    }

    [Fact]
    public void Refuses_wrong_passphrase_for_every_legacy_cipher_without_false_success()
    {
        // Wrong passphrases for legacy PEM give random plaintext; a lucky valid padding must still be caught.
        for (var i = 0; i < 40; i++)
        {
            var wrong = $"wrong-{i}";
            Load.Refusal(() => Load.FromFile("rsa2048.legacy.aes128.pem", wrong), CertificateCredentialFailure.PassphraseIncorrect, wrong);
        }
    }

    [Fact]
    public void Refuses_a_key_that_does_not_belong_to_the_certificate()
    {
        var e = Load.Refusal(() => Load.FromFile("other.key.pem", certificateFixture: "rsa2048.crt.pem"),
            CertificateCredentialFailure.KeyCertificateMismatch, Fixture.Text("other.key.pem"));
        e.Message.Should().Contain("does not belong to the certificate").And.Contain("CN=CertCredentials Test rsa2048");
    }

    [Fact]
    public void Refuses_a_chain_without_the_key_s_certificate()
    {
        var e = Load.Refusal(() => Load.FromFile("rsa2048.pkcs8.pem", certificateFixture: "chain.certs.root-first.pem"),
            CertificateCredentialFailure.KeyCertificateMismatch, KeyPem);
        e.Message.Should().Contain("belongs to none of the 3 certificates");
    }

    [Theory]
    [InlineData("sha1_hex")]
    [InlineData("sha256_b64url")]
    public void Refuses_a_thumbprint_of_another_certificate(string form)
    {
        var otherThumbprint = Fixture.Thumbprints("other.thumbprints.txt")[form];
        var e = Load.Refusal(() => Load.FromFile("rsa2048.pkcs8.pem", certificateFixture: "rsa2048.crt.pem", thumbprint: otherThumbprint),
            CertificateCredentialFailure.ThumbprintMismatch, KeyPem);
        e.Message.Should().Contain("is not the thumbprint of the certificate given")
            .And.Contain(Fixture.Thumbprints("rsa2048.thumbprints.txt")["sha1_hex"])
            .And.Contain("Leave CertificateThumbprint empty");
    }

    [Theory]
    [InlineData("not a thumbprint")]
    [InlineData("CC5BE6B52368FA7661A49E00ADCFF4AFF89239")]
    [InlineData("zz5BE6B52368FA7661A49E00ADCFF4AFF892399A")]
    public void Refuses_a_thumbprint_that_is_no_thumbprint(string thumbprint)
    {
        var e = Load.Refusal(() => Load.FromFile("rsa2048.pkcs8.pem", thumbprint: thumbprint), CertificateCredentialFailure.ThumbprintInvalid);
        e.Message.Should().Contain("is not a thumbprint").And.Contain("40 hex digits");
    }

    [Fact]
    public void Refuses_a_key_pasted_into_the_thumbprint_without_echoing_it()
    {
        var e = Load.Refusal(() => Load.FromFile("rsa2048.pkcs8.pem", thumbprint: KeyPem), CertificateCredentialFailure.ThumbprintInvalid, KeyPem);
        e.Message.Should().Contain("was a key or certificate pasted into it?");
    }

    [Fact]
    public void Refuses_a_key_with_neither_certificate_nor_thumbprint()
    {
        var e = Load.Refusal(() => Load.FromFile("rsa2048.pkcs8.pem"), CertificateCredentialFailure.ThumbprintMissing, KeyPem);
        e.Message.Should().Contain("CertificateThumbprint").And.Contain("CertificatePath");
    }

    [Fact]
    public void Refuses_a_missing_file_naming_its_path()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "no-such-dir", "app-key.pem");
        var e = Load.Refusal(() => Load.From(new() { PrivateKeyPath = path }), CertificateCredentialFailure.FileUnreadable);
        e.Message.Should().Contain(path).And.Contain("does not exist").And.Contain("PrivateKeyPath");
    }

    [Fact]
    public void Refuses_a_missing_certificate_file_naming_its_path()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "no-such-dir", "app-cert.pem");
        var e = Load.Refusal(() => Load.From(new() { PrivateKey = KeyPem, CertificatePath = path }), CertificateCredentialFailure.FileUnreadable, KeyPem);
        e.Message.Should().Contain(path).And.Contain("CertificatePath");
    }

    [Fact]
    public void Refuses_a_directory_as_key_path()
    {
        var e = Load.Refusal(() => Load.From(new() { PrivateKeyPath = System.IO.Path.GetTempPath() }), CertificateCredentialFailure.FileUnreadable);
        e.Message.Should().Contain("is a directory, not a file");
    }

    [Fact]
    public void Refuses_a_path_given_as_key_text()
    {
        var e = Load.Refusal(() => Load.FromText("/etc/secrets/app-key.pem"), CertificateCredentialFailure.PrivateKeyUnreadable);
        e.Message.Should().Contain("looks like a file path").And.Contain("PrivateKeyPath");
    }

    [Fact]
    public void Refuses_key_text_and_key_path_together()
    {
        var e = Load.Refusal(() => Load.From(new() { PrivateKey = KeyPem, PrivateKeyPath = Fixture.Path("rsa2048.pkcs8.pem") }),
            CertificateCredentialFailure.InvalidOptions, KeyPem);
        e.Message.Should().Contain("Both PrivateKey and PrivateKeyPath are set");
    }

    [Fact]
    public void Refuses_a_public_key_in_place_of_the_private_key()
    {
        using var certificate = Fixture.Certificate("rsa2048.crt.pem");
        using var publicKey = certificate.GetRSAPublicKey()!;
        var publicPem = publicKey.ExportSubjectPublicKeyInfoPem();
        var e = Load.Refusal(() => Load.FromText(publicPem), CertificateCredentialFailure.PrivateKeyMissing);
        e.Message.Should().Contain("holds a public key, not a private key");
    }

    [Fact]
    public void Refuses_an_openssh_key_with_the_conversion_command()
    {
        var e = Load.Refusal(() => Load.FromFile("rsa2048.openssh.txt"), CertificateCredentialFailure.PrivateKeyUnreadable, Fixture.Text("rsa2048.openssh.txt"));
        e.Message.Should().Contain("OpenSSH").And.Contain("ssh-keygen -p -m PKCS8");
    }

    [Fact]
    public void Refuses_two_different_keys()
    {
        var two = KeyPem + "\n" + Fixture.Text("other.key.pem");
        var e = Load.Refusal(() => Load.FromText(two), CertificateCredentialFailure.PrivateKeyUnreadable, KeyPem, Fixture.Text("other.key.pem"));
        e.Message.Should().Contain("2 different private keys");
    }

    [Fact]
    public void Refuses_spliced_blocks()
    {
        var spliced = KeyPem.Replace("-----END PRIVATE KEY-----", "-----END CERTIFICATE-----", StringComparison.Ordinal);
        var e = Load.Refusal(() => Load.FromText(spliced), CertificateCredentialFailure.PrivateKeyUnreadable, KeyPem);
        e.Message.Should().Contain("spliced");
    }

    [Fact]
    public void Refuses_oversized_input()
    {
        var huge = new string('A', 2 * 1024 * 1024);
        var e = Load.Refusal(() => Load.FromText(huge), CertificateCredentialFailure.PrivateKeyUnreadable);
        e.Message.Should().Contain("far larger than a key");
    }

    [Fact]
    public void Options_ToString_hides_key_and_passphrase()
    {
        var options = new CertificateClientCredentialOptions
        {
            TenantId = "contoso.onmicrosoft.com",
            ClientId = "00000000-0000-0000-0000-000000000001",
            Scope = "https://graph.microsoft.com/.default",
            PrivateKey = KeyPem,
            PrivateKeyPassphrase = P,
        };
        var text = options.ToString();
        text.Should().Contain("PrivateKey = (set, hidden)").And.Contain("PrivateKeyPassphrase = (set, hidden)").And.Contain("contoso.onmicrosoft.com");
        SecretScan.AssertClean(text, KeyPem, P);
    }
}
