using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertCredentials.Keys;
using CertCredentials.Tests.Infrastructure;

namespace CertCredentials.Tests.Keys;

/// <summary>Putting the inputs together: duplicates, the chain order and where it stops, exact mismatch words, ownership on dispose.</summary>
public sealed class KeyMaterialLoaderTests
{
    private static readonly string KeyPem = Fixture.Text("rsa2048.pkcs8.pem");
    private static readonly IReadOnlyDictionary<string, string> Known = Fixture.Thumbprints("rsa2048.thumbprints.txt");

    [Fact]
    public void The_same_key_given_twice_in_two_encodings_counts_once()
    {
        using var material = Load.FromText(KeyPem + Fixture.Text("rsa2048.pkcs1.pem"), certificate: Fixture.Text("rsa2048.crt.pem"));
        material.KeySize.Should().Be(2048);
    }

    [Fact]
    public void The_same_certificate_given_twice_is_kept_once()
    {
        using var material = Load.FromText(Fixture.Text("rsa2048.bundle.key-then-cert.pem"), certificate: Fixture.Text("rsa2048.crt.pem") + Fixture.Text("rsa2048.crt.pem"));
        material.Chain.Should().ContainSingle();
    }

    [Fact]
    public void A_self_signed_certificate_is_a_chain_of_one()
    {
        using var material = Load.FromFile("rsa2048.pkcs8.pem", certificateFixture: "rsa2048.crt.pem");
        material.Chain.Should().ContainSingle().Which.RawData.Should().Equal(material.Certificate!.RawData);
        material.Certificate.HasPrivateKey.Should().BeFalse();
    }

    [Fact]
    public void The_chain_stops_where_no_issuer_is_given()
    {
        using var material = Load.FromText(Fixture.Text("chain.leaf.key.pem"), certificate: Fixture.Text("chain.leaf.crt.pem") + Fixture.Text("chain.root.crt.pem"));
        material.Chain.Select(c => c.Subject).Should().Equal("CN=CertCredentials Test chain leaf");
    }

    [Fact]
    public void The_chain_climbs_through_each_issuer_to_the_root()
    {
        using var material = Load.FromText(Fixture.Text("chain.leaf.key.pem"),
            certificate: Fixture.Text("chain.root.crt.pem") + Fixture.Text("rsa2048.crt.pem") + Fixture.Text("chain.leaf.crt.pem") + Fixture.Text("chain.intermediate.crt.pem"));
        material.Chain.Select(c => c.Subject).Should().Equal(
            "CN=CertCredentials Test chain leaf", "CN=CertCredentials Test Intermediate CA", "CN=CertCredentials Test Root CA");
    }

    [Fact]
    public void A_key_that_fits_no_single_certificate_names_it_with_its_thumbprint()
    {
        var e = Load.Refusal(() => Load.FromFile("other.key.pem", certificateFixture: "rsa2048.crt.pem"), CertificateCredentialFailure.KeyCertificateMismatch);
        e.Message.Should().Be(
            $"The private key does not belong to the certificate 'CN=CertCredentials Test rsa2048' ({Known["sha1_hex"][..8]}..., SHA-1 {Known["sha1_hex"]}): its public key differs. " +
            "Give the key that was generated with this certificate, or the certificate made from this key.");
    }

    [Fact]
    public void A_certificate_with_the_keys_modulus_but_a_damaged_exponent_is_refused_at_load()
    {
        // 65537 read as 65541 (bit 2 of the exponent's last byte flipped, the property run's seed
        // (3914732235070652113,8039468200650817419,9)): the modulus still matches, the public key does not.
        var der = Fixture.Certificate("rsa2048.crt.pem").RawData;
        var exponent = der.AsSpan().IndexOf(new byte[] { 0x02, 0x03, 0x01, 0x00, 0x01 });
        exponent.Should().BePositive("the fixture's public exponent is 65537");
        der[exponent + 4] ^= 0b100;
        var damaged = PemEncoding.WriteString("CERTIFICATE", der);
        using (var certificate = X509CertificateLoader.LoadCertificate(der))
        using (var publicKey = certificate.GetRSAPublicKey())
        {
            publicKey!.ExportParameters(false).Exponent.Should().Equal(0x01, 0x00, 0x05);
        }

        Load.Refusal(() => Load.FromText(KeyPem, certificate: damaged), CertificateCredentialFailure.KeyCertificateMismatch, KeyPem);
    }

    [Fact]
    public void A_certificate_made_for_another_exponent_of_the_same_modulus_is_refused()
    {
        using var key = RSA.Create();
        key.ImportFromPem(KeyPem);
        var own = key.ExportParameters(false);
        using var impostor = RSA.Create(new RSAParameters { Modulus = own.Modulus, Exponent = [0x01, 0x00, 0x05] });
        var request = new CertificateRequest("CN=same modulus", impostor, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var now = TimeProvider.System.GetUtcNow();
        using var certificate = request.Create(new X500DistinguishedName("CN=same modulus"), X509SignatureGenerator.CreateForRSA(key, RSASignaturePadding.Pkcs1),
            now.AddDays(-1), now.AddDays(30), [1, 2, 3, 4]);

        Load.Refusal(() => Load.FromText(KeyPem, certificate: certificate.ExportCertificatePem()), CertificateCredentialFailure.KeyCertificateMismatch, KeyPem);
    }

    [Fact]
    public void The_same_public_key_with_a_zero_padded_exponent_is_the_same_key()
    {
        using var material = Load.FromText(KeyPem, certificate: Fixture.Text("rsa2048.crt.pem"));
        var parameters = material.Certificate!.GetRSAPublicKey()!.ExportParameters(false);
        RsaPublicKeys.Same(parameters, parameters with { Exponent = [0x00, .. parameters.Exponent!] }).Should().BeTrue();
        RsaPublicKeys.Same(parameters, parameters with { Exponent = [0x01, 0x00, 0x05] }).Should().BeFalse();
    }

    [Fact]
    public void A_key_that_fits_none_of_several_certificates_names_the_first_and_the_count()
    {
        var e = Load.Refusal(() => Load.FromText(Fixture.Text("other.key.pem"), certificate: Fixture.Text("chain.certs.root-first.pem")), CertificateCredentialFailure.KeyCertificateMismatch);
        e.Message.Should().Be("The private key belongs to none of the 3 certificates given (the first is 'CN=CertCredentials Test Root CA'). Give the certificate made from this key.");
    }

    [Fact]
    public void A_thumbprint_of_another_certificate_is_refused_with_both_thumbprints_of_the_right_one()
    {
        var other = Fixture.Thumbprints("other.thumbprints.txt");
        var e = Load.Refusal(() => Load.FromFile("rsa2048.pkcs8.pem", certificateFixture: "rsa2048.crt.pem", thumbprint: other["sha256_hex"]), CertificateCredentialFailure.ThumbprintMismatch);
        e.Message.Should().Be(
            $"The CertificateThumbprint (SHA-256 {other["sha256_b64url"]}) is not the thumbprint of the certificate given ('CN=CertCredentials Test rsa2048': SHA-1 {Known["sha1_hex"]}, x5t#S256 {Known["sha256_b64url"]}). " +
            "Leave CertificateThumbprint empty (it is computed from the certificate), or give the certificate it belongs to.");
        Load.Refusal(() => Load.FromFile("rsa2048.pkcs8.pem", certificateFixture: "rsa2048.crt.pem", thumbprint: other["sha1_hex"]), CertificateCredentialFailure.ThumbprintMismatch)
            .Message.Should().StartWith($"The CertificateThumbprint (SHA-1 {other["sha1_hex"]}) is not");
    }

    [Theory]
    [InlineData("sha1_hex")]
    [InlineData("sha256_b64url")]
    public void The_thumbprint_of_the_certificate_given_is_accepted_and_the_sha256_is_sent(string form)
    {
        using var material = Load.FromFile("rsa2048.pkcs8.pem", certificateFixture: "rsa2048.crt.pem", thumbprint: Known[form]);
        material.Thumbprint.Base64Url.Should().Be(Known["sha256_b64url"]);
    }

    [Fact]
    public void A_whitespace_thumbprint_counts_as_none()
    {
        using var material = Load.FromFile("rsa2048.pkcs8.pem", certificateFixture: "rsa2048.crt.pem", thumbprint: "  ");
        material.Thumbprint.Algorithm.Should().Be(ThumbprintAlgorithm.Sha256);
    }

    [Fact]
    public void Certificate_text_and_certificate_path_together_are_refused()
    {
        Load.Refusal(() => Load.From(new() { PrivateKey = KeyPem, Certificate = Fixture.Text("rsa2048.crt.pem"), CertificatePath = Fixture.Path("rsa2048.crt.pem") }),
            CertificateCredentialFailure.InvalidOptions, KeyPem).Message.Should().Be("Both Certificate and CertificatePath are set; set only one of them.");
    }

    [Fact]
    public void A_key_path_with_surrounding_spaces_is_trimmed()
    {
        using var material = Load.From(new() { PrivateKeyPath = "  " + Fixture.Path("rsa2048.pkcs8.pem") + " ", CertificatePath = " " + Fixture.Path("rsa2048.crt.pem") });
        material.Certificate.Should().NotBeNull();
    }

    [Fact]
    public void A_certificate_alone_with_no_key_input_is_refused_as_no_key_given()
    {
        Load.Refusal(() => Load.From(new() { CertificatePath = Fixture.Path("rsa2048.crt.pem") }), CertificateCredentialFailure.PrivateKeyMissing)
            .Message.Should().Be("No private key was given. Set PrivateKey to the PEM text of the key (or base64 of a PKCS#12 file), or PrivateKeyPath to a PEM or PKCS#12 file.");
    }

    [Fact]
    public void Key_text_holding_only_unrelated_blocks_holds_no_private_key()
    {
        Load.Refusal(() => Load.FromText("-----BEGIN X509 CRL-----\nAQID\n-----END X509 CRL-----"), CertificateCredentialFailure.PrivateKeyMissing).Message
            .Should().Be("The PrivateKey option holds no private key. Give the PEM text of the key (BEGIN PRIVATE KEY, BEGIN RSA PRIVATE KEY or BEGIN ENCRYPTED PRIVATE KEY) or a PKCS#12 (.pfx) file.");
    }

    [Fact]
    public void A_certificate_as_the_key_is_refused_as_a_certificate_without_key_even_next_to_a_public_key()
    {
        using var certificate = Fixture.Certificate("rsa2048.crt.pem");
        using var publicKey = certificate.GetRSAPublicKey()!;
        Load.Refusal(() => Load.FromText(Fixture.Text("rsa2048.crt.pem") + publicKey.ExportSubjectPublicKeyInfoPem()), CertificateCredentialFailure.CertificateWithoutPrivateKey);
    }

    [Fact]
    public void A_key_of_exactly_2048_bits_is_accepted_and_1024_refused_with_its_size()
    {
        using (var material = Load.FromFile("rsa2048.pkcs8.pem", thumbprint: Known["sha1_hex"]))
        {
            material.KeySize.Should().Be(2048);
        }

        Load.Refusal(() => Load.FromFile("rsa1024.key.pem", thumbprint: Known["sha1_hex"]), CertificateCredentialFailure.PrivateKeyTooSmall).Message
            .Should().StartWith($"The RSA key in the file '{Fixture.Path("rsa1024.key.pem")}' (PrivateKeyPath) has 1024 bits; Microsoft Entra ID refuses keys under 2048 bits (AADSTS50032).");
    }

    [Fact]
    public void Describes_itself_with_the_certificate_subject_and_expiry_or_only_the_thumbprint()
    {
        using (var material = Load.FromFile("rsa2048.pkcs8.pem", certificateFixture: "rsa2048.crt.pem"))
        {
            material.ToString().Should().Be(
                $"RSA-2048 key; certificate 'CN=CertCredentials Test rsa2048' valid until {material.Certificate!.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm}Z; x5t#S256={Known["sha256_b64url"]}");
        }

        using var bare = Load.FromFile("rsa2048.pkcs8.pem", thumbprint: Known["sha1_hex"]);
        bare.ToString().Should().Be($"RSA-2048 key; x5t={Known["sha1_b64url"]}");
    }

    [Fact]
    public void Disposing_disposes_the_key_and_every_certificate()
    {
        var material = Load.FromFile("chain.leaf.pfx", Fixture.Passphrase);
        var chain = material.Chain.ToList();
        var certificate = material.Certificate!;
        material.Dispose();

        FluentActions.Invoking(() => material.PrivateKey.ExportParameters(false)).Should().Throw<ObjectDisposedException>();
        chain.Should().OnlyContain(c => c.Handle == IntPtr.Zero);
        certificate.Handle.Should().Be(IntPtr.Zero);
    }

    [Theory]
    [InlineData("\n")]
    [InlineData(" ")]
    public void A_passphrase_with_surrounding_whitespace_loads_trimmed_and_is_marked_for_the_warning(string whitespace)
    {
        var passphrase = Fixture.Passphrase + whitespace;
        using var fromOptions = Load.FromFile("rsa2048.pkcs8.aes256-sha256.pem", passphrase, certificateFixture: "rsa2048.crt.pem");
        using var fromPem = KeyMaterialLoader.FromText(Fixture.Text("rsa2048.pkcs8.aes256-sha256.pem") + Fixture.Text("rsa2048.crt.pem"), passphrase, KeySource.FromPem);
        using var fromPkcs12 = KeyMaterialLoader.FromBytes(Fixture.Bytes("rsa2048.pfx"), passphrase, KeySource.FromPkcs12);

        new[] { fromOptions, fromPem, fromPkcs12 }.Should().OnlyContain(m => m.PassphraseTrimmed && m.KeySize == 2048 && m.Certificate != null);
    }

    [Fact]
    public void An_exact_passphrase_is_not_marked_trimmed()
    {
        using var fromOptions = Load.FromFile("rsa2048.pkcs8.aes256-sha256.pem", Fixture.Passphrase, certificateFixture: "rsa2048.crt.pem");
        using var fromPkcs12 = KeyMaterialLoader.FromBytes(Fixture.Bytes("rsa2048.pfx"), Fixture.Passphrase, KeySource.FromPkcs12);

        fromOptions.PassphraseTrimmed.Should().BeFalse();
        fromPkcs12.PassphraseTrimmed.Should().BeFalse();
    }

    [Fact]
    public void A_wrong_passphrase_with_whitespace_is_refused_as_incorrect_without_echoing_either_form()
    {
        var e = Load.Refusal(() => Load.FromFile("rsa2048.pkcs8.aes256-sha256.pem", "Wrong-Passphrase\n", certificateFixture: "rsa2048.crt.pem"),
            CertificateCredentialFailure.PassphraseIncorrect, "Wrong-Passphrase");
        e.Message.Should().StartWith("The PrivateKeyPassphrase does not decrypt ").And.Contain($"in the file '{Fixture.Path("rsa2048.pkcs8.aes256-sha256.pem")}' (PrivateKeyPath).");
    }

    [Fact]
    public void A_pem_given_in_code_without_its_certificate_names_FromPem_and_asks_for_the_certificate()
    {
        Load.Refusal(() => KeyMaterialLoader.FromText(KeyPem, null, KeySource.FromPem), CertificateCredentialFailure.ThumbprintMissing).Message.Should().Be(
            "The PEM given to ClientCertificate.FromPem holds a private key but not its certificate, and Entra finds the key by the certificate's thumbprint. " +
            "Give the certificate with the key (a PEM bundle of key and certificate, or a PKCS#12 file that includes the certificate).");
    }

    [Fact]
    public void A_certificate_input_that_holds_only_a_key_says_it_holds_a_key_not_a_certificate()
    {
        var keyPath = Fixture.Path("rsa2048.pkcs8.pem");
        Load.Refusal(() => Load.From(new() { PrivateKeyPath = keyPath, CertificatePath = keyPath }), CertificateCredentialFailure.ThumbprintMissing).Message
            .Should().StartWith($"The file '{keyPath}' (CertificatePath) holds a private key, not a certificate, so Entra could not tell which registered certificate signed the assertion.");
        Load.Refusal(() => Load.FromText(KeyPem, certificate: KeyPem), CertificateCredentialFailure.ThumbprintMissing).Message
            .Should().StartWith("The Certificate option holds a private key, not a certificate");
    }

    [Fact]
    public void A_key_input_with_no_certificate_and_no_certificate_input_says_neither_was_given()
    {
        Load.Refusal(() => Load.FromText(KeyPem), CertificateCredentialFailure.ThumbprintMissing).Message
            .Should().StartWith("Neither a certificate nor a certificate thumbprint was given");
    }

    [Fact]
    public void A_certificate_input_holding_key_and_certificate_gives_the_certificate()
    {
        var bundle = Fixture.Text("rsa2048.bundle.key-then-cert.pem");
        using var material = Load.FromText(KeyPem, certificate: bundle);

        material.Certificate!.RawData.Should().Equal(Fixture.Certificate("rsa2048.crt.pem").RawData);
    }
}
