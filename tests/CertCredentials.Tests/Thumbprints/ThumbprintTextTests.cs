using CertCredentials.Tests.Infrastructure;
using CertCredentials.Thumbprints;

namespace CertCredentials.Tests.Thumbprints;

/// <summary>The edges of thumbprint reading: lengths, separators, padding, labels, and the exact problem for each refusal.</summary>
public sealed class ThumbprintTextTests
{
    private const string Forms =
        "Give the SHA-1 thumbprint as the Azure portal shows it (40 hex digits, colons or spaces allowed), " +
        "the SHA-256 as 64 hex digits, or either as base64url (27 or 43 characters, the x5t / x5t#S256 values) or base64.";

    private static readonly IReadOnlyDictionary<string, string> Known = Fixture.Thumbprints("rsa2048.thumbprints.txt");

    private static string Problem(string? text)
    {
        ThumbprintText.TryParse(text, out var thumbprint, out var problem).Should().BeFalse();
        thumbprint.Should().BeNull();
        return problem;
    }

    private static CertificateThumbprint Parsed(string text)
    {
        ThumbprintText.TryParse(text, out var thumbprint, out var problem).Should().BeTrue(problem);
        problem.Should().BeEmpty();
        return thumbprint!;
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" \t\n")]
    public void Empty_text_is_refused_as_empty(string? text) =>
        Problem(text).Should().Be("The certificate thumbprint is empty. " + Forms);

    [Fact]
    public void Text_over_512_characters_is_refused_by_its_length_as_a_likely_paste_mistake()
    {
        Problem(new string('A', 513)).Should().Be("The certificate thumbprint is 513 characters long, far longer than any thumbprint (was a key or certificate pasted into it?). " + Forms);
    }

    [Fact]
    public void Text_of_exactly_512_characters_is_judged_by_its_content()
    {
        Problem(new string('A', 512)).Should().Be("The certificate thumbprint is not a thumbprint: it has 512 hex digits where a SHA-1 thumbprint has 40 and a SHA-256 has 64. " + Forms);
    }

    [Fact]
    public void A_sha1_thumbprint_of_40_hex_digits_parses_as_sha1()
    {
        var thumbprint = Parsed(Known["sha1_hex"]);
        thumbprint.Algorithm.Should().Be(ThumbprintAlgorithm.Sha1);
        thumbprint.Hex.Should().Be(Known["sha1_hex"]);
        thumbprint.Base64Url.Should().Be(Known["sha1_b64url"]);
        thumbprint.HeaderParameter.Should().Be("x5t");
        thumbprint.Hash.Length.Should().Be(20);
    }

    [Fact]
    public void A_sha256_thumbprint_of_64_hex_digits_parses_as_sha256()
    {
        var thumbprint = Parsed(Known["sha256_hex"].ToLowerInvariant());
        thumbprint.Algorithm.Should().Be(ThumbprintAlgorithm.Sha256);
        thumbprint.Hex.Should().Be(Known["sha256_hex"]);
        thumbprint.HeaderParameter.Should().Be("x5t#S256");
    }

    [Theory]
    [InlineData(':')]
    [InlineData(' ')]
    [InlineData('-')]
    [InlineData('\t')]
    public void Hex_digits_may_be_separated_by_colons_spaces_dashes_or_tabs(char separator) =>
        Parsed(Known["sha1_colons"].Replace(':', separator)).Hex.Should().Be(Known["sha1_hex"]);

    [Theory]
    [InlineData(';')]
    [InlineData('.')]
    [InlineData('_')]
    public void Other_separators_are_refused(char separator) =>
        Problem(Known["sha1_colons"].Replace(':', separator)).Should().Contain("is neither hex nor base64 of a 20- or 32-byte hash");

    [Theory]
    [InlineData(39)]
    [InlineData(41)]
    [InlineData(63)]
    [InlineData(65)]
    [InlineData(128)]
    public void Any_other_number_of_hex_digits_is_refused_saying_how_many(int digits) =>
        Problem(new string('a', digits)).Should().Be($"The certificate thumbprint is not a thumbprint: it has {digits} hex digits where a SHA-1 thumbprint has 40 and a SHA-256 has 64. " + Forms);

    [Fact]
    public void Hex_digits_among_foreign_characters_are_described_by_length_without_echoing_them()
    {
        var problem = Problem("thumbprint-of-my-cert");
        problem.Should().Be("The certificate thumbprint is not a thumbprint: it is 21 characters long and is neither hex nor base64 of a 20- or 32-byte hash. " + Forms);
    }

    [Theory]
    [InlineData("sha1_b64url", ThumbprintAlgorithm.Sha1)]
    [InlineData("sha256_b64url", ThumbprintAlgorithm.Sha256)]
    [InlineData("sha1_b64", ThumbprintAlgorithm.Sha1)]
    [InlineData("sha256_b64", ThumbprintAlgorithm.Sha256)]
    public void Base64url_and_padded_base64_parse_to_the_same_hash(string form, ThumbprintAlgorithm algorithm)
    {
        var thumbprint = Parsed(Known[form]);
        thumbprint.Algorithm.Should().Be(algorithm);
        thumbprint.Base64Url.Should().Be(Known[algorithm == ThumbprintAlgorithm.Sha1 ? "sha1_b64url" : "sha256_b64url"]);
    }

    [Fact]
    public void Standard_base64_characters_are_read_as_their_base64url_equivalents()
    {
        // 32 bytes of 0xFB 0xFF... encode with '+' and '/' in standard base64, '-' and '_' in base64url.
        var hash = Enumerable.Repeat((byte)0xFB, 30).Concat(new byte[] { 0xFF, 0xF0 }).ToArray();
        Parsed(Convert.ToBase64String(hash)).Hash.ToArray().Should().Equal(hash);
        Parsed(System.Buffers.Text.Base64Url.EncodeToString(hash)).Hash.ToArray().Should().Equal(hash);
    }

    [Theory]
    [InlineData("==")]
    [InlineData("===")]
    public void More_than_one_padding_character_is_refused(string padding) =>
        Problem(Known["sha256_b64url"] + padding).Should().Contain("is not a thumbprint");

    [Theory]
    [InlineData(26)]
    [InlineData(28)]
    [InlineData(42)]
    [InlineData(44)]
    public void Base64_of_other_lengths_is_refused(int length) =>
        Problem(("zFvmtSNo-nZhpJ4Arc_0r_iSOZo" + "zFvmtSNo-nZhpJ4Arc_0r_iSOZo")[..length]).Should().Contain("is not a thumbprint");

    [Theory]
    [InlineData('.')]
    [InlineData('!')]
    [InlineData('é')]
    public void Base64_with_a_foreign_character_is_refused(char foreign) =>
        Problem(Known["sha256_b64url"][..42] + foreign).Should().Contain("is not a thumbprint");

    [Fact]
    public void Invisible_format_characters_quotes_and_whitespace_are_removed()
    {
        Parsed("\u200e \"" + Known["sha1_hex"] + "\u200f\" \n").Hex.Should().Be(Known["sha1_hex"]);
        Parsed("'" + Known["sha1_hex"] + "'").Hex.Should().Be(Known["sha1_hex"]);
        Parsed(Known["sha1_hex"][..20] + "\u200b" + Known["sha1_hex"][20..]).Hex.Should().Be(Known["sha1_hex"]);
    }

    [Theory]
    [InlineData("SHA1 Fingerprint=", ThumbprintAlgorithm.Sha1, "sha1_colons")]
    [InlineData("sha-1 fingerprint = ", ThumbprintAlgorithm.Sha1, "sha1_colons")]
    [InlineData("SHA256 Fingerprint=", ThumbprintAlgorithm.Sha256, "sha256_colons")]
    [InlineData("SHA2-256 FINGERPRINT=", ThumbprintAlgorithm.Sha256, "sha256_colons")]
    [InlineData("MD5 Fingerprint=", ThumbprintAlgorithm.Sha1, "sha1_colons")]
    [InlineData("Fingerprint=", ThumbprintAlgorithm.Sha256, "sha256_colons")]
    public void An_openssl_fingerprint_label_is_read_and_checked(string label, ThumbprintAlgorithm algorithm, string form) =>
        Parsed(label + Known[form]).Algorithm.Should().Be(algorithm);

    [Fact]
    public void A_sha1_label_on_a_sha256_hash_is_refused_naming_both()
    {
        Problem("SHA1 Fingerprint=" + Known["sha256_colons"])
            .Should().Be("The certificate thumbprint is labelled SHA-1 but holds a SHA-256 hash (32 bytes). " + Forms);
    }

    [Fact]
    public void A_sha256_label_on_a_sha1_hash_is_refused_naming_both()
    {
        Problem("sha256 Fingerprint=" + Known["sha1_hex"])
            .Should().Be("The certificate thumbprint is labelled SHA-256 but holds a SHA-1 hash (20 bytes). " + Forms);
    }

    [Fact]
    public void An_equals_sign_without_a_fingerprint_label_is_not_a_label()
    {
        Problem("x5t=" + Known["sha1_hex"]).Should().Contain("is not a thumbprint");
        Problem("=" + Known["sha1_hex"]).Should().Contain("is not a thumbprint");
    }

    [Fact]
    public void Parse_throws_the_problem_as_a_typed_error_and_TryParse_returns_false()
    {
        var e = Assert.Throws<CertificateCredentialException>(() => CertificateThumbprint.Parse("nope"));
        e.Failure.Should().Be(CertificateCredentialFailure.ThumbprintInvalid);
        e.Message.Should().Be(Problem("nope"));
        CertificateThumbprint.TryParse("nope", out var none).Should().BeFalse();
        none.Should().BeNull();
        CertificateThumbprint.TryParse(Known["sha1_hex"], out var some).Should().BeTrue();
        some!.Hex.Should().Be(Known["sha1_hex"]);
    }

    [Fact]
    public void Thumbprints_with_different_hashes_have_different_hash_codes()
    {
        var a = CertificateThumbprint.Parse(Known["sha1_hex"]);
        var b = CertificateThumbprint.Parse(Fixture.Thumbprints("other.thumbprints.txt")["sha1_hex"]);
        a.GetHashCode().Should().NotBe(b.GetHashCode());
        a.Equals((object)b).Should().BeFalse();
        a.Equals((object)CertificateThumbprint.Parse(Known["sha1_b64"])).Should().BeTrue();
        a.Equals("not a thumbprint").Should().BeFalse();
    }

    [Fact]
    public void Computing_from_a_null_certificate_is_an_argument_error() =>
        FluentActions.Invoking(() => CertificateThumbprint.Compute((X509Certificate2)null!)).Should().Throw<ArgumentNullException>();

    [Theory]
    [InlineData("")]
    [InlineData("  \n")]
    public void Computing_from_empty_text_is_refused_as_empty(string text)
    {
        var e = Assert.Throws<CertificateCredentialException>(() => CertificateThumbprint.ComputeFromPem(text));
        e.Failure.Should().Be(CertificateCredentialFailure.CertificateUnreadable);
        e.Message.Should().Be("The certificate text is empty. Give the PEM (-----BEGIN CERTIFICATE----- ...) or base64 DER of the certificate.");
    }

    [Fact]
    public void Computing_from_text_without_a_certificate_says_so()
    {
        var e = Assert.Throws<CertificateCredentialException>(() => CertificateThumbprint.ComputeFromPem(Fixture.Text("rsa2048.pkcs8.pem")));
        e.Message.Should().Be("The text holds no certificate (-----BEGIN CERTIFICATE----- ...). Give the certificate, not only the key.");
    }

    [Fact]
    public void Computing_from_a_chain_uses_the_first_certificate()
    {
        CertificateThumbprint.ComputeFromPem(Fixture.Text("chain.certs.root-first.pem"))
            .Should().Be(CertificateThumbprint.Compute(Fixture.Certificate("chain.root.crt.pem")));
    }

    [Fact]
    public void Computing_from_base64_der_text_works_like_pem()
    {
        CertificateThumbprint.ComputeFromPem(Convert.ToBase64String(Fixture.Bytes("rsa2048.crt.der")), ThumbprintAlgorithm.Sha1).Hex.Should().Be(Known["sha1_hex"]);
    }
}
