using CertCredentials.Keys;

namespace CertCredentials.Tests.Keys;

/// <summary>What forms, environment variables and shells do to pasted key text is undone, and nothing else is changed.</summary>
public sealed class PastedTextTests
{
    [Theory]
    [InlineData("  a\nb  ", "a\nb")]
    [InlineData("\uFEFFa", "a")]
    [InlineData(" \uFEFF a ", "a")]
    [InlineData("\"a\nb\"", "a\nb")]
    [InlineData("'a'", "a")]
    [InlineData(" \"a\" ", "a")]
    [InlineData("\"a'", "\"a'")]
    [InlineData("'a\"", "'a\"")]
    [InlineData("\"", "\"")]
    [InlineData("\"\"", "")]
    [InlineData("x\"a\"", "x\"a\"")]
    [InlineData("a\\nb", "a\nb")]
    [InlineData("a\\r\\nb", "a\nb")]
    [InlineData("a\\rb", "a\nb")]
    [InlineData("a\\n\\nb", "a\n\nb")]
    [InlineData("a\r\nb", "a\nb")]
    [InlineData("a\rb", "a\nb")]
    [InlineData("a\r\n\r\nb", "a\n\nb")]
    [InlineData("a\\tb", "a\\tb")]
    [InlineData("\"a\\n\"", "a")]
    [InlineData("a\\n", "a")]
    [InlineData("a\r\n", "a")]
    [InlineData("", "")]
    public void Normalizes_pasted_text(string pasted, string expected) =>
        PastedText.Normalize(pasted).Should().Be(expected);

    [Fact]
    public void Leaves_plain_lf_text_unchanged()
    {
        const string pem = "-----BEGIN X-----\nAQID\n-----END X-----";
        PastedText.Normalize(pem).Should().Be(pem);
    }
}
