using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using CertCredentials.Tests.Infrastructure;

namespace CertCredentials.Tests.Keys;

/// <summary>PKCS#12 passwords (given, empty, absent, none needed) and files whose MAC passes but whose contents do not read.</summary>
public sealed class Pkcs12ReaderTests
{
    private const string P = Fixture.Passphrase;

    private static string Build(Action<Pkcs12Builder> seal, PbeParameters? keyEncryption = null, string? keyPassword = null)
    {
        using var certificate = Fixture.Certificate("rsa2048.crt.pem");
        using var key = RSA.Create();
        key.ImportFromPem(Fixture.Text("rsa2048.pkcs8.pem"));
        var contents = new Pkcs12SafeContents();
        contents.AddCertificate(certificate);
        if (keyEncryption is null)
        {
            contents.AddKeyUnencrypted(key);
        }
        else
        {
            contents.AddShroudedKey(key, keyPassword, keyEncryption);
        }

        var builder = new Pkcs12Builder();
        builder.AddSafeContentsUnencrypted(contents);
        seal(builder);
        return Convert.ToBase64String(builder.Encode());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("any passphrase")]
    public void A_pkcs12_without_a_mac_loads_whatever_passphrase_is_given(string? passphrase)
    {
        using var material = Load.FromText(Build(b => b.SealWithoutIntegrity()), passphrase);
        material.Certificate.Should().NotBeNull();
        material.KeySize.Should().Be(2048);
    }

    [Fact]
    public void A_pkcs12_sealed_with_an_absent_password_loads_without_a_passphrase()
    {
        // An absent password (null) is not the empty one: the MAC is computed over no bytes at all.
        var pfx = Build(b => b.SealWithMac(null, HashAlgorithmName.SHA256, 2048));
        using var material = Load.FromText(pfx);
        material.Certificate.Should().NotBeNull();
    }

    [Fact]
    public void A_pkcs12_sealed_with_the_empty_password_loads_without_a_passphrase_and_refuses_a_wrong_one()
    {
        var pfx = Build(b => b.SealWithMac(string.Empty, HashAlgorithmName.SHA256, 2048));
        using (var material = Load.FromText(pfx))
        {
            material.Certificate.Should().NotBeNull();
        }

        Load.Refusal(() => Load.FromText(pfx, "not empty"), CertificateCredentialFailure.PassphraseIncorrect, "not empty").Message
            .Should().Be("The PrivateKeyPassphrase does not decrypt the PKCS#12 (.pfx) file in the PrivateKey option. Check the passphrase (its case, and that no trailing newline or space came with it), or export the key again.");
    }

    [Fact]
    public void A_password_protected_pkcs12_without_a_passphrase_asks_for_it()
    {
        Load.Refusal(() => Load.FromFile("rsa2048.pfx"), CertificateCredentialFailure.PassphraseRequired).Message
            .Should().Be($"The file '{Fixture.Path("rsa2048.pfx")}' (PrivateKeyPath) holds a password-protected PKCS#12 (.pfx) file, and no PrivateKeyPassphrase is set. Set PrivateKeyPassphrase to the passphrase the key was exported with.");
    }

    [Fact]
    public void A_pkcs12_whose_key_asks_for_too_many_iterations_is_refused_with_the_export_command()
    {
        // The key is shrouded with more PBKDF2 iterations than .NET's PKCS#12 loader accepts; its MAC passes.
        var pfx = Build(b => b.SealWithMac(P, HashAlgorithmName.SHA256, 2048), new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 700_000), P);
        var e = Load.Refusal(() => Load.FromText(pfx, P), CertificateCredentialFailure.EncryptionUnsupported, P);
        e.Message.Should().Contain("a PKCS#12 (.pfx) key derivation").And.Contain("not between 1 and 300,000").And.Contain("openssl pkcs12 -export");
        e.InnerException.Should().BeAssignableTo<CryptographicException>();
    }

    [Fact]
    public void Bytes_that_look_like_pkcs12_but_do_not_decode_are_refused_as_corrupt()
    {
        // Version 3 and a PKCS#7 data content type, as a PFX starts, but no content.
        var writer = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(3);
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier("1.2.840.113549.1.7.1");
            }
        }

        var bytes = writer.Encode();
        var e = Load.Refusal(() => Load.FromText(Convert.ToBase64String(bytes), P), CertificateCredentialFailure.PrivateKeyUnreadable, P);
        e.Message.Should().Contain("the PKCS#12 (.pfx) file is corrupt or truncated");
    }

    [Fact]
    public void The_certificates_of_a_pkcs12_are_kept_whole_and_the_key_is_exportable_for_signing()
    {
        using var material = Load.FromFile("chain.leaf.pfx", P);
        material.Chain.Should().HaveCount(3);
        material.Chain.Should().OnlyContain(c => !c.HasPrivateKey, "certificates are kept without their key");
        using var leaf = Fixture.Certificate("chain.leaf.crt.pem");
        Fixture.AssertSignsFor(material.PrivateKey, leaf);
    }
}
