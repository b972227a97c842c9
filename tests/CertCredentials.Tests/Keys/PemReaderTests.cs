using CertCredentials.Keys;
using CertCredentials.Tests.Infrastructure;

namespace CertCredentials.Tests.Keys;

/// <summary>Splitting text into PEM blocks: labels, RFC 1421 headers, base64 bodies, and the words for each way it goes wrong.</summary>
public sealed class PemReaderTests
{
    private static readonly KeySource Source = KeySource.PrivateKeyOption;

    private static CertificateCredentialException Refusal(string text) =>
        Assert.Throws<CertificateCredentialException>(() => PemReader.ReadBlocks(text, Source));

    [Theory]
    [InlineData("-----BEGIN PRIVATE KEY-----", true)]
    [InlineData("text before -----BEGIN X-----", true)]
    [InlineData("-----BEGIN", false)]
    [InlineData("-----BEGINPRIVATE KEY-----", false)]
    [InlineData("-----END PRIVATE KEY-----", false)]
    [InlineData("", false)]
    public void Text_looks_like_pem_when_it_holds_a_begin_marker(string text, bool expected) =>
        PemReader.LooksLikePem(text).Should().Be(expected);

    [Fact]
    public void Reads_each_block_with_its_label_and_exact_der_bytes()
    {
        var blocks = PemReader.ReadBlocks("-----BEGIN A B-----\nAQID\n-----END A B-----\ntext between\n-----BEGIN CERTIFICATE-----\nBAUG\nBw==\n-----END CERTIFICATE-----", Source);

        blocks.Should().HaveCount(2);
        blocks[0].Label.Should().Be("A B");
        blocks[0].Der.Should().Equal(1, 2, 3);
        blocks[0].ProcType.Should().BeNull();
        blocks[0].DekInfo.Should().BeNull();
        blocks[0].IsLegacyEncrypted.Should().BeFalse();
        blocks[1].Label.Should().Be("CERTIFICATE");
        blocks[1].Der.Should().Equal(4, 5, 6, 7);
    }

    [Fact]
    public void Reads_a_block_whose_body_is_spread_with_spaces_tabs_and_blank_lines()
    {
        var block = PemReader.ReadBlocks("-----BEGIN X----- AQ\tID \n\n  BAUG  -----END X-----", Source).Single();
        block.Der.Should().Equal(1, 2, 3, 4, 5, 6);
    }

    [Fact]
    public void Reads_legacy_headers_and_normalises_them()
    {
        var block = PemReader.ReadBlocks("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4, ENCRYPTED\nDEK-Info: aes-128-cbc , 00aaBBcc\n\nAQID\n-----END RSA PRIVATE KEY-----", Source).Single();

        block.ProcType.Should().Be("4,ENCRYPTED", "spaces are dropped");
        block.DekInfo.Should().Be("AES-128-CBC,00aaBBcc", "the cipher is upper-cased and the IV kept as written");
        block.IsLegacyEncrypted.Should().BeTrue();
        block.Der.Should().Equal(1, 2, 3);
    }

    [Fact]
    public void Reads_legacy_headers_written_inline_on_one_line()
    {
        var block = PemReader.ReadBlocks("-----BEGIN RSA PRIVATE KEY----- Proc-Type: 4,ENCRYPTED DEK-Info: DES-CBC,0011223344556677 AQID -----END RSA PRIVATE KEY-----", Source).Single();
        block.ProcType.Should().Be("4,ENCRYPTED");
        block.DekInfo.Should().Be("DES-CBC,0011223344556677");
        block.Der.Should().Equal(1, 2, 3);
    }

    [Fact]
    public void Skips_other_header_lines_holding_a_colon()
    {
        var block = PemReader.ReadBlocks("-----BEGIN X-----\nComment: \"made by hand\"\nAQID\n-----END X-----", Source).Single();
        block.Der.Should().Equal(1, 2, 3);
        block.ProcType.Should().BeNull();
    }

    [Theory]
    [InlineData("4,ENCRYPTED", true)]
    [InlineData("4,encrypted", true)]
    [InlineData("4,MIC-ONLY", false)]
    [InlineData(null, false)]
    public void A_block_is_legacy_encrypted_only_when_its_proc_type_says_ENCRYPTED(string? procType, bool expected) =>
        new PemBlock("RSA PRIVATE KEY", procType, null, [1]).IsLegacyEncrypted.Should().Be(expected);

    [Fact]
    public void A_block_names_itself_without_its_contents()
    {
        new PemBlock("PRIVATE KEY", null, null, [1, 2, 3]).ToString().Should().Be("PEM block 'PRIVATE KEY' (3 bytes)");
    }

    [Fact]
    public void Refuses_a_block_whose_end_label_differs_naming_both()
    {
        var e = Refusal("-----BEGIN PRIVATE KEY-----\nAQID\n-----END CERTIFICATE-----");
        e.Failure.Should().Be(CertificateCredentialFailure.PrivateKeyUnreadable);
        e.Message.Should().Be("Could not read the PrivateKey option: a PEM block begins with '-----BEGIN PRIVATE KEY-----' but ends with '-----END CERTIFICATE-----'. Two blocks were probably spliced together; copy each one whole.");
    }

    [Fact]
    public void Refuses_a_begin_line_without_an_end_line_after_the_last_block()
    {
        var e = Refusal("-----BEGIN X-----\nAQID\n-----END X-----\n-----BEGIN PRIVATE KEY-----\nAQID");
        e.Message.Should().Be("Could not read the PrivateKey option: the PEM block 'PRIVATE KEY' has no '-----END PRIVATE KEY-----' line: the text was cut short. Copy the whole block, from the BEGIN line through the END line.");
    }

    [Fact]
    public void A_begin_line_without_an_end_line_before_another_block_is_refused_as_cut_short()
    {
        // Another BEGIN comes before any END: the first block was cut short (not spliced with the next one).
        var e = Refusal("-----BEGIN RSA PRIVATE KEY-----\nAQID\n\n-----BEGIN X-----\nAQID\n-----END X-----");
        e.Message.Should().Contain("the PEM block 'RSA PRIVATE KEY' has no '-----END RSA PRIVATE KEY-----' line");
    }

    [Fact]
    public void Labels_are_compared_and_reported_without_surrounding_spaces()
    {
        var block = PemReader.ReadBlocks("-----BEGIN  PRIVATE KEY -----\nAQID\n-----END PRIVATE KEY  -----", Source).Single();
        block.Label.Should().Be("PRIVATE KEY");
        Refusal("-----BEGIN  PRIVATE KEY -----\nAQID").Message.Should().Contain("the PEM block 'PRIVATE KEY' has no");
    }

    [Fact]
    public void Text_without_any_block_reads_as_no_blocks()
    {
        PemReader.ReadBlocks("no markers here", Source).Should().BeEmpty();
        PemReader.ReadBlocks("-----BEGIN lower-----\nAQID\n-----END lower-----", Source).Should().BeEmpty("labels are upper case");
    }

    [Fact]
    public void Refuses_an_empty_block()
    {
        var e = Refusal("-----BEGIN PRIVATE KEY-----\n \n-----END PRIVATE KEY-----");
        e.Message.Should().Be("Could not read the PrivateKey option: the PEM block 'PRIVATE KEY' is empty between its BEGIN and END lines.");
    }

    [Fact]
    public void Refuses_a_block_of_only_header_lines_as_empty()
    {
        Refusal("-----BEGIN X-----\nComment: a\n-----END X-----").Message.Should().Contain("is empty between its BEGIN and END lines");
    }

    [Fact]
    public void Refuses_base64_whose_length_is_not_a_multiple_of_four_as_truncated()
    {
        var e = Refusal("-----BEGIN X-----\nAQIDB\n-----END X-----");
        e.Message.Should().Be("Could not read the PrivateKey option: the base64 inside the PEM block 'X' is corrupt: its length is not a multiple of 4, so characters were lost (a truncated or partly copied key). Copy the block again from its source.");
    }

    [Fact]
    public void Refuses_base64_with_foreign_characters()
    {
        var e = Refusal("-----BEGIN X-----\nAQ*D\n-----END X-----");
        e.Message.Should().Contain("the base64 inside the PEM block 'X' is corrupt: it holds characters that are not base64");
    }

    [Fact]
    public void A_certificate_source_names_the_certificate_in_its_refusals()
    {
        var e = Assert.Throws<CertificateCredentialException>(() => PemReader.ReadBlocks("-----BEGIN X-----\n-----END X-----", KeySource.CertificateOption));
        e.Failure.Should().Be(CertificateCredentialFailure.CertificateUnreadable);
        e.Message.Should().StartWith("Could not read the Certificate option:");
    }

    [Fact]
    public void Reads_the_der_of_a_real_key_exactly()
    {
        var pem = Fixture.Text("rsa2048.pkcs8.pem");
        var block = PemReader.ReadBlocks(PastedText.Normalize(pem), Source).Single();
        block.Der.Should().Equal(Convert.FromBase64String(string.Concat(pem.Split('\n').Where(line => !line.StartsWith("-----", StringComparison.Ordinal)))));
    }
}
