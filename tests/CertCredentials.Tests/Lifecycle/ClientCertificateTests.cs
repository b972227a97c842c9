using System.Security.Cryptography;
using System.Text;
using CertCredentials.Tests.Infrastructure;

namespace CertCredentials.Tests.Lifecycle;

/// <summary>
/// <see cref="ClientCertificate"/> reads key and certificate with the options' reader: the same forms, the same typed
/// refusals, nothing of the input echoed; a signer's certificate is checked and copied.
/// </summary>
public sealed class ClientCertificateTests
{
    private static string Sha256 => Fixture.Thumbprints("rsa2048.thumbprints.txt")["sha256_b64url"];

    [Theory]
    [InlineData("rsa2048.bundle.key-then-cert.pem", null)]
    [InlineData("rsa2048.bundle.cert-then-key.pem", null)]
    [InlineData("rsa2048.pfx-all.pem", Fixture.Passphrase)]
    public void FromPem_reads_a_key_with_its_certificate_in_the_forms_the_options_read(string file, string? passphrase)
    {
        using var certificate = ClientCertificate.FromPem(Fixture.Text(file), passphrase);

        certificate.Thumbprint.Base64Url.Should().Be(Sha256);
        certificate.Certificate!.Subject.Should().Contain("CertCredentials Test rsa2048");
        using var expected = Fixture.Certificate("rsa2048.crt.pem");
        Fixture.AssertSignsFor(certificate.PrivateKey!, expected);
    }

    [Fact]
    public void FromPem_reads_pasted_text_with_literal_newline_escapes()
    {
        var pasted = (Fixture.Text("rsa2048.pkcs8.pem") + Fixture.Text("rsa2048.crt.pem")).ReplaceLineEndings("\\n");
        using var certificate = ClientCertificate.FromPem(pasted);
        certificate.Thumbprint.Base64Url.Should().Be(Sha256);
    }

    [Theory]
    [InlineData("ec-p256.key.pem", "ec-p256.crt.pem", null, CertificateCredentialFailure.PrivateKeyNotRsa)]
    [InlineData("rsa1024.key.pem", "rsa1024.crt.pem", null, CertificateCredentialFailure.PrivateKeyTooSmall)]
    [InlineData("rsa2048.pkcs8.aes256-sha256.pem", "rsa2048.crt.pem", null, CertificateCredentialFailure.PassphraseRequired)]
    [InlineData("rsa2048.pkcs8.aes256-sha256.pem", "rsa2048.crt.pem", "wrong passphrase", CertificateCredentialFailure.PassphraseIncorrect)]
    [InlineData("rsa2048.pkcs8.pem", "other.crt.pem", null, CertificateCredentialFailure.KeyCertificateMismatch)]
    [InlineData("rsa2048.crt.pem", null, null, CertificateCredentialFailure.CertificateWithoutPrivateKey)]
    public void FromPem_refuses_what_the_options_refuse_with_the_same_failure_and_no_echo(string keyFile, string? certificateFile, string? passphrase,
                                                                                          CertificateCredentialFailure failure)
    {
        var pem = Fixture.Text(keyFile) + (certificateFile is null ? string.Empty : "\n" + Fixture.Text(certificateFile));
        var refusal = FluentActions.Invoking(() => ClientCertificate.FromPem(pem, passphrase)).Should().Throw<CertificateCredentialException>().Which;

        refusal.Failure.Should().Be(failure);
        SecretScan.AssertClean(refusal.Message, [Fixture.Text(keyFile), passphrase ?? Fixture.Passphrase]);
        if (certificateFile is not null)
        {
            var options = FluentActions.Invoking(() => new CertificateClientCredential(TestOptions.Rsa2048(o =>
            {
                o.PrivateKeyPath = Fixture.Path(keyFile);
                o.CertificatePath = Fixture.Path(certificateFile);
                o.PrivateKeyPassphrase = passphrase;
            }))).Should().Throw<CertificateCredentialException>().Which;
            options.Failure.Should().Be(failure, "the options and ClientCertificate.FromPem read through one reader");
        }
    }

    [Fact]
    public void FromPem_of_a_key_without_its_certificate_says_to_add_the_certificate()
    {
        var refusal = FluentActions.Invoking(() => ClientCertificate.FromPem(Fixture.Text("rsa2048.pkcs8.pem"))).Should().Throw<CertificateCredentialException>().Which;
        refusal.Failure.Should().Be(CertificateCredentialFailure.ThumbprintMissing);
        refusal.Message.Should().Contain("ClientCertificate.FromPem").And.Contain("certificate");
    }

    [Fact]
    public void FromPkcs12_reads_the_file_bytes_and_its_base64_text()
    {
        using var fromBytes = ClientCertificate.FromPkcs12(Fixture.Bytes("rsa2048.pfx"), Fixture.Passphrase);
        using var fromBase64 = ClientCertificate.FromPkcs12(Encoding.ASCII.GetBytes(Fixture.Text("rsa2048.pfx.b64.txt")), Fixture.Passphrase);
        using var withoutPassword = ClientCertificate.FromPkcs12(Fixture.Bytes("rsa2048.nopass.pfx"));

        fromBytes.Thumbprint.Base64Url.Should().Be(Sha256);
        fromBase64.Thumbprint.Should().Be(fromBytes.Thumbprint);
        withoutPassword.Thumbprint.Should().Be(fromBytes.Thumbprint);
    }

    [Fact]
    public void FromPkcs12_refuses_a_wrong_password_typed()
    {
        FluentActions.Invoking(() => ClientCertificate.FromPkcs12(Fixture.Bytes("rsa2048.pfx"), "not it"))
            .Should().Throw<CertificateCredentialException>().Which.Failure.Should().Be(CertificateCredentialFailure.PassphraseIncorrect);
        FluentActions.Invoking(() => ClientCertificate.FromPkcs12(Fixture.Bytes("ec-p256.pfx"), Fixture.Passphrase))
            .Should().Throw<CertificateCredentialException>().Which.Failure.Should().Be(CertificateCredentialFailure.PrivateKeyNotRsa);
    }

    [Fact]
    public void FromSigner_keeps_a_copy_of_the_public_certificate_and_never_the_callers_instance()
    {
        using var signer = new NonExportingSigner();
        using var given = X509CertificateLoader.LoadCertificate(signer.Certificate.RawData);
        using var certificate = ClientCertificate.FromSigner(given, signer);
        given.Dispose();

        certificate.Certificate.Should().NotBeSameAs(given);
        certificate.Certificate!.HasPrivateKey.Should().BeFalse();
        certificate.Thumbprint.Should().Be(CertificateThumbprint.Compute(signer.Certificate));
        certificate.ToString().Should().Contain("NonExportingSigner").And.Contain(certificate.Thumbprint.ToString());
        signer.Calls.Should().Be(0, "nothing is signed until a credential takes the certificate");
    }

    [Fact]
    public void FromSigner_refuses_a_certificate_without_an_rsa_key_of_2048_bits()
    {
        using var signer = new NonExportingSigner();
        using var ec = Fixture.Certificate("ec-p256.crt.pem");
        using var small = Fixture.Certificate("rsa1024.crt.pem");
        FluentActions.Invoking(() => ClientCertificate.FromSigner(ec, signer)).Should().Throw<CertificateCredentialException>()
            .Which.Failure.Should().Be(CertificateCredentialFailure.PrivateKeyNotRsa);
        FluentActions.Invoking(() => ClientCertificate.FromSigner(small, signer)).Should().Throw<CertificateCredentialException>()
            .Which.Failure.Should().Be(CertificateCredentialFailure.PrivateKeyTooSmall);
    }

    [Fact]
    public void Disposing_disposes_the_key_and_the_certificate()
    {
        var certificate = ClientCertificate.FromPem(Fixture.Text("rsa2048.bundle.key-then-cert.pem"));
        var key = certificate.PrivateKey!;
        certificate.Dispose();
        certificate.Dispose();
        FluentActions.Invoking(() => key.SignData([1], HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)).Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void ToString_describes_without_any_secret()
    {
        using var certificate = ClientCertificate.FromPem(Fixture.Text("rsa2048.pkcs8.aes256-sha256.pem") + Fixture.Text("rsa2048.crt.pem"), Fixture.Passphrase);
        var text = certificate.ToString();
        text.Should().Contain("RSA-2048").And.Contain("x5t#S256=" + Sha256);
        SecretScan.AssertClean(text, [Fixture.Text("rsa2048.pkcs8.pem"), Fixture.Text("rsa2048.pkcs8.aes256-sha256.pem"), Fixture.Passphrase]);
    }
}
