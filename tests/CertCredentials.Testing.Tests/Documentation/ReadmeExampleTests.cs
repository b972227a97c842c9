namespace CertCredentials.Testing.Tests.Documentation;

/// <summary>
/// The READMEs' complete test example is the file CI compiles and runs against the packed packages
/// (tests/TestingPackageConsumer/ExampleTests.cs): the code block after the marker must be that file, exactly.
/// </summary>
public sealed class ReadmeExampleTests
{
    private const string Marker = "<!-- example: tests/TestingPackageConsumer/ExampleTests.cs -->";

    [Theory]
    [InlineData("README.md")]
    [InlineData("CertCredentials.Testing.README.md")]
    public void The_readme_example_is_the_compiled_example(string readme)
    {
        var compiled = Read("ExampleTests.cs");

        var shown = CodeBlockAfterMarker(Read(readme));

        shown.Should().Be(compiled, $"the example in {readme} must be tests/TestingPackageConsumer/ExampleTests.cs as it is (copy one onto the other)");
    }

    private static string Read(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Documentation", name)).ReplaceLineEndings("\n");

    private static string CodeBlockAfterMarker(string markdown)
    {
        var marker = markdown.IndexOf(Marker, StringComparison.Ordinal);
        marker.Should().BeGreaterThanOrEqualTo(0, $"the README marks its example with {Marker}");
        const string Fence = "```csharp\n";
        var start = markdown.IndexOf(Fence, marker, StringComparison.Ordinal);
        start.Should().BeGreaterThan(marker);
        start += Fence.Length;
        var end = markdown.IndexOf("\n```\n", start, StringComparison.Ordinal);
        end.Should().BeGreaterThan(start);
        return markdown[start..(end + 1)];
    }
}
