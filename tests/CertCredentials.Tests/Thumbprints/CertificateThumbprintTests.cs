using CertCredentials.Tests.Infrastructure;

namespace CertCredentials.Tests.Thumbprints;

public sealed class CertificateThumbprintTests
{
    private static readonly IReadOnlyDictionary<string, string> Known = Fixture.Thumbprints("rsa2048.thumbprints.txt");

    [Fact]
    public void Computes_x5t_S256_and_x5t_from_a_certificate()
    {
        using var certificate = Fixture.Certificate("rsa2048.crt.pem");

        var sha256 = CertificateThumbprint.Compute(certificate);
        sha256.Base64Url.Should().Be(Known["sha256_b64url"]).And.HaveLength(43);
        sha256.HeaderParameter.Should().Be("x5t#S256");
        sha256.Hex.Should().Be(Known["sha256_hex"]);

        var sha1 = CertificateThumbprint.Compute(certificate, ThumbprintAlgorithm.Sha1);
        sha1.Base64Url.Should().Be(Known["sha1_b64url"]).And.HaveLength(27);
        sha1.HeaderParameter.Should().Be("x5t");
        sha1.Hex.Should().Be(Known["sha1_hex"]);
    }

    [Theory]
    [InlineData("rsa2048.crt.pem")]
    [InlineData("rsa2048.bundle.key-then-cert.pem")]
    [InlineData("rsa2048.pfx-all.pem")]
    public void Computes_from_pem_text_in_one_call(string file)
    {
        CertificateThumbprint.ComputeFromPem(Fixture.Text(file)).Base64Url.Should().Be(Known["sha256_b64url"]);
        CertificateThumbprint.ComputeFromPem(Fixture.Text(file), ThumbprintAlgorithm.Sha1).Hex.Should().Be(Known["sha1_hex"]);
    }

    [Fact]
    public void Computes_from_pasted_pem_with_escaped_newlines()
    {
        var escaped = Fixture.Text("rsa2048.crt.pem").Replace("\n", "\\n", StringComparison.Ordinal);
        CertificateThumbprint.ComputeFromPem(escaped).Base64Url.Should().Be(Known["sha256_b64url"]);
    }

    [Fact]
    public void Refuses_text_without_a_certificate()
    {
        var e = Assert.Throws<CertificateCredentialException>(() => CertificateThumbprint.ComputeFromPem(Fixture.Text("rsa2048.pkcs8.pem")));
        e.Failure.Should().Be(CertificateCredentialFailure.CertificateUnreadable);
        SecretScan.AssertClean(e, Fixture.Text("rsa2048.pkcs8.pem"));
    }

    [Theory]
    [InlineData("sha1_hex", ThumbprintAlgorithm.Sha1)]
    [InlineData("sha256_hex", ThumbprintAlgorithm.Sha256)]
    [InlineData("sha1_colons", ThumbprintAlgorithm.Sha1)]
    [InlineData("sha256_colons", ThumbprintAlgorithm.Sha256)]
    [InlineData("sha1_b64url", ThumbprintAlgorithm.Sha1)]
    [InlineData("sha256_b64url", ThumbprintAlgorithm.Sha256)]
    [InlineData("sha1_b64", ThumbprintAlgorithm.Sha1)]
    [InlineData("sha256_b64", ThumbprintAlgorithm.Sha256)]
    public void Parses_every_pasted_form(string form, ThumbprintAlgorithm algorithm)
    {
        using var certificate = Fixture.Certificate("rsa2048.crt.pem");
        var parsed = CertificateThumbprint.Parse(Known[form]);
        parsed.Algorithm.Should().Be(algorithm);
        parsed.Matches(certificate).Should().BeTrue();
        parsed.Should().Be(CertificateThumbprint.Compute(certificate, algorithm));
    }

    [Fact]
    public void Parses_variants_people_paste()
    {
        var sha1 = CertificateThumbprint.Parse(Known["sha1_hex"]);
        string[] variants =
        [
            Known["sha1_hex"].ToLowerInvariant(),
            Known["sha1_colons"].ToLowerInvariant(),
            Known["sha1_colons"].Replace(':', ' '),
            Known["sha1_colons"].Replace(':', '-'),
            "  " + Known["sha1_hex"] + "\n",
            "\u200e" + Known["sha1_hex"],
            "\"" + Known["sha1_hex"] + "\"",
            "SHA1 Fingerprint=" + Known["sha1_colons"],
            "sha1 Fingerprint=" + Known["sha1_colons"],
            Known["sha1_b64"].TrimEnd('='),
        ];
        foreach (var variant in variants)
        {
            CertificateThumbprint.Parse(variant).Should().Be(sha1, "'{0}' is the same thumbprint", variant);
        }

        CertificateThumbprint.Parse("sha256 Fingerprint=" + Known["sha256_colons"]).Algorithm.Should().Be(ThumbprintAlgorithm.Sha256);
    }

    [Fact]
    public void Refuses_a_label_that_contradicts_the_hash()
    {
        var e = Assert.Throws<CertificateCredentialException>(() => CertificateThumbprint.Parse("SHA256 Fingerprint=" + Known["sha1_colons"]));
        e.Failure.Should().Be(CertificateCredentialFailure.ThumbprintInvalid);
        e.Message.Should().Contain("labelled SHA-256 but holds a SHA-1 hash");
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("xyz")]
    [InlineData("CC5BE6B52368FA7661A49E00ADCFF4AFF892399A00")]
    [InlineData("zFvmtSNo-nZhpJ4Arc_0r_iSOZ")]
    [InlineData("zFvmtSNo-nZhpJ4Arc_0r_iSOZo==")]
    public void Refuses_text_that_is_no_thumbprint(string text)
    {
        CertificateThumbprint.TryParse(text, out var parsed).Should().BeFalse();
        parsed.Should().BeNull();
        var e = Assert.Throws<CertificateCredentialException>(() => CertificateThumbprint.Parse(text));
        e.Failure.Should().Be(CertificateCredentialFailure.ThumbprintInvalid);
        e.Message.Should().Contain("40 hex digits").And.Contain("base64url");
    }

    [Fact]
    public void Says_how_many_hex_digits_it_found()
    {
        var e = Assert.Throws<CertificateCredentialException>(() => CertificateThumbprint.Parse("CC:5B:E6:B5:23:68:FA:76:61:A4:9E:00:AD:CF:F4:AF:F8:92:39"));
        e.Message.Should().Contain("38 hex digits");
    }

    [Fact]
    public void ToString_names_the_header_and_value()
    {
        CertificateThumbprint.Parse(Known["sha256_hex"]).ToString().Should().Be("x5t#S256=" + Known["sha256_b64url"]);
        CertificateThumbprint.Parse(Known["sha1_hex"]).ToString().Should().Be("x5t=" + Known["sha1_b64url"]);
    }

    [Fact]
    public void Equality_depends_on_algorithm_and_hash()
    {
        var a = CertificateThumbprint.Parse(Known["sha1_hex"]);
        var b = CertificateThumbprint.Parse(Known["sha1_b64url"]);
        a.Should().Be(b);
        a.GetHashCode().Should().Be(b.GetHashCode());
        a.Should().NotBe(CertificateThumbprint.Parse(Known["sha256_hex"]));
        a.Equals(null).Should().BeFalse();
    }
}
