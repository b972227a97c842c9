using CertCredentials.Tests.Infrastructure;

namespace CertCredentials.Tests.Keys;

/// <summary>Every key form users bring loads into an RSA key that signs for its certificate.</summary>
public sealed class KeyFormsTests
{
    private const string P = Fixture.Passphrase;

    public static TheoryData<string, string?> Rsa2048Files => new()
    {
        { "rsa2048.pkcs8.pem", null },
        { "rsa2048.pkcs1.pem", null },
        { "rsa2048.pkcs8.der", null },
        { "rsa2048.pkcs1.der", null },
        { "rsa2048.pkcs8.b64.txt", null },
        { "rsa2048.pkcs8.aes256-sha256.pem", P },
        { "rsa2048.pkcs8.aes128-sha1.pem", P },
        { "rsa2048.pkcs8.des3-sha256.pem", P },
        { "rsa2048.pkcs8.pbe-sha1-3des.pem", P },
        { "rsa2048.legacy.aes256.pem", P },
        { "rsa2048.legacy.aes192.pem", P },
        { "rsa2048.legacy.aes128.pem", P },
        { "rsa2048.legacy.des3.pem", P },
        { "rsa2048.legacy.des.pem", P },
        { "rsa2048.pfx-nocerts.pem", P },
        { "rsa2048.pfx-nocerts-nodes.pem", null },
        { "rsa2048.pkcs8.crlf.pem", null },
        { "rsa2048.pkcs8.escaped.txt", null },
        { "rsa2048.pkcs8.indented.txt", null },
        { "rsa2048.pkcs8.oneline.txt", null },
        { "rsa2048.legacy.aes256.escaped.txt", P },
    };

    [Theory]
    [MemberData(nameof(Rsa2048Files))]
    public void Loads_key_file_that_signs_for_its_certificate(string file, string? passphrase)
    {
        using var material = Load.FromFile(file, passphrase, certificateFixture: "rsa2048.crt.pem");
        using var certificate = Fixture.Certificate("rsa2048.crt.pem");
        Fixture.AssertSignsFor(material.PrivateKey, certificate);
        material.Thumbprint.Should().Be(CertificateThumbprint.Compute(certificate));
    }

    [Theory]
    [MemberData(nameof(Rsa2048Files))]
    public void Loads_the_same_forms_pasted_as_option_text(string file, string? passphrase)
    {
        // Text options get what a form or environment variable holds; binary DER is not text, so skip it.
        if (file.EndsWith(".der", StringComparison.Ordinal))
        {
            return;
        }

        using var material = Load.FromText(Fixture.Text(file), passphrase, Fixture.Text("rsa2048.crt.pem"));
        using var certificate = Fixture.Certificate("rsa2048.crt.pem");
        Fixture.AssertSignsFor(material.PrivateKey, certificate);
    }

    [Theory]
    [InlineData("rsa2048.pfx", P)]
    [InlineData("rsa2048.nopass.pfx", null)]
    [InlineData("rsa2048.nopass.pfx", "")]
    [InlineData("rsa2048.legacy.pfx", P)]
    [InlineData("rsa2048.pfx-all.pem", null)]
    [InlineData("rsa2048.bundle.key-then-cert.pem", null)]
    [InlineData("rsa2048.bundle.cert-then-key.pem", null)]
    public void Loads_key_and_certificate_from_one_file(string file, string? passphrase)
    {
        using var material = Load.FromFile(file, passphrase);
        using var certificate = Fixture.Certificate("rsa2048.crt.pem");
        material.Certificate.Should().NotBeNull();
        material.Certificate!.RawData.Should().Equal(certificate.RawData);
        Fixture.AssertSignsFor(material.PrivateKey, certificate);
        material.Thumbprint.Base64Url.Should().Be(Fixture.Thumbprints("rsa2048.thumbprints.txt")["sha256_b64url"]);
    }

    [Theory]
    [InlineData("rsa2048.pfx.b64.txt", P)]
    [InlineData("rsa2048.nopass.pfx.b64.txt", null)]
    public void Loads_base64_pkcs12_as_key_vault_holds_it(string file, string? passphrase)
    {
        using var material = Load.FromText(Fixture.Text(file), passphrase);
        using var certificate = Fixture.Certificate("rsa2048.crt.pem");
        Fixture.AssertSignsFor(material.PrivateKey, certificate);
        material.Certificate!.RawData.Should().Equal(certificate.RawData);
    }

    [Fact]
    public void Loads_base64_pkcs12_file_recognised_by_content_not_extension()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{Guid.NewGuid():N}.txt");
        File.Copy(Fixture.Path("rsa2048.pfx"), path);
        try
        {
            using var material = Load.From(new() { PrivateKeyPath = path, PrivateKeyPassphrase = P });
            material.Certificate.Should().NotBeNull();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Loads_rsa_4096()
    {
        using var material = Load.FromFile("rsa4096.key.pem", certificateFixture: "rsa4096.crt.pem");
        material.KeySize.Should().Be(4096);
        using var certificate = Fixture.Certificate("rsa4096.crt.pem");
        Fixture.AssertSignsFor(material.PrivateKey, certificate);
    }

    [Theory]
    [InlineData("chain.bundle.root-first.pem", null)]
    [InlineData("chain.bundle.leaf-middle.pem", null)]
    [InlineData("chain.leaf.pfx", P)]
    public void Picks_the_leaf_of_a_chain_by_its_key_not_by_position(string file, string? passphrase)
    {
        using var material = Load.FromFile(file, passphrase);
        using var leaf = Fixture.Certificate("chain.leaf.crt.pem");
        using var intermediate = Fixture.Certificate("chain.intermediate.crt.pem");
        using var root = Fixture.Certificate("chain.root.crt.pem");

        material.Certificate!.RawData.Should().Equal(leaf.RawData);
        material.Chain.Select(c => c.Subject).Should().Equal(leaf.Subject, intermediate.Subject, root.Subject);
        material.Thumbprint.Base64Url.Should().Be(Fixture.Thumbprints("chain.leaf.thumbprints.txt")["sha256_b64url"]);
        Fixture.AssertSignsFor(material.PrivateKey, leaf);
    }

    [Fact]
    public void Picks_the_leaf_from_a_separate_chain_file()
    {
        using var material = Load.FromFile("chain.leaf.key.pem", certificateFixture: "chain.certs.root-first.pem");
        using var leaf = Fixture.Certificate("chain.leaf.crt.pem");
        material.Certificate!.RawData.Should().Equal(leaf.RawData);
        material.Chain.Should().HaveCount(3);
    }

    [Fact]
    public void Loads_a_key_file_with_only_a_thumbprint()
    {
        var sha1 = Fixture.Thumbprints("rsa2048.thumbprints.txt")["sha1_hex"];
        using var material = Load.FromFile("rsa2048.pkcs8.pem", thumbprint: sha1);
        material.Certificate.Should().BeNull();
        material.Thumbprint.Algorithm.Should().Be(ThumbprintAlgorithm.Sha1);
        material.Thumbprint.Hex.Should().Be(sha1);
    }

    [Fact]
    public void Accepts_a_thumbprint_that_matches_the_certificate()
    {
        var sha1 = Fixture.Thumbprints("rsa2048.thumbprints.txt")["sha1_colons"];
        using var material = Load.FromFile("rsa2048.pkcs8.pem", certificateFixture: "rsa2048.crt.pem", thumbprint: sha1);
        material.Thumbprint.Algorithm.Should().Be(ThumbprintAlgorithm.Sha256, "with a certificate the SHA-256 thumbprint is sent");
    }

    [Fact]
    public void Accepts_der_certificate_file()
    {
        using var material = Load.FromFile("rsa2048.pkcs8.pem", certificateFixture: "rsa2048.crt.der");
        material.Certificate.Should().NotBeNull();
    }

    [Fact]
    public void Reads_a_utf16_file_as_windows_powershell_writes_it()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{Guid.NewGuid():N}.pem");
        File.WriteAllText(path, Fixture.Text("rsa2048.pkcs8.pem"), new System.Text.UnicodeEncoding(bigEndian: false, byteOrderMark: true));
        try
        {
            using var material = Load.From(new() { PrivateKeyPath = path, CertificatePath = Fixture.Path("rsa2048.crt.pem") });
            material.KeySize.Should().Be(2048);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Accepts_quoted_text_as_shells_and_dotenv_files_leave_it()
    {
        var quoted = "\"" + Fixture.Text("rsa2048.pkcs8.escaped.txt") + "\"";
        using var material = Load.FromText(quoted, certificate: Fixture.Text("rsa2048.crt.pem"));
        material.KeySize.Should().Be(2048);
    }

    [Fact]
    public void Describes_itself_without_secrets()
    {
        using var material = Load.FromFile("rsa2048.pfx", P);
        var text = material.ToString();
        text.Should().Contain("RSA-2048").And.Contain("x5t#S256=");
        SecretScan.AssertClean(text, Fixture.Text("rsa2048.pkcs8.pem"), P);
    }
}
