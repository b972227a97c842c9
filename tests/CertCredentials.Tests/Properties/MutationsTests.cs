using FsCheck.Fluent;

namespace CertCredentials.Tests.Properties;

/// <summary>The damage generators themselves: one that throws fails a property on some seeds, whatever the library does.</summary>
public sealed class MutationsTests
{
    private static TextCase Case(string text) => new(new Seed("joined markers", text), "joined markers", text, null);

    [Fact]
    public void Swapping_BEGIN_and_END_skips_markers_that_share_their_dashes()
    {
        // A BEGIN line whose line break is gone: its END match starts inside the BEGIN match (at 22, within 0..27).
        var text = "-----BEGIN PRIVATE KEY-----END PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n";

        var cases = Mutations.SwapBeginAndEnd(Case(text)).Sample(50);

        cases.Should().HaveCount(50).And.OnlyContain(c => c.Recipe.EndsWith("swap BEGIN at 0 with END at 53", StringComparison.Ordinal));
    }

    [Fact]
    public void Swapping_BEGIN_and_END_with_only_overlapping_markers_damages_the_text_another_way()
    {
        var cases = Mutations.SwapBeginAndEnd(Case("-----BEGIN PRIVATE KEY-----END PRIVATE KEY-----\n")).Sample(20);

        cases.Should().HaveCount(20).And.OnlyContain(c => !c.Recipe.Contains("swap", StringComparison.Ordinal));
    }
}
