using CertCredentials.Tool.Tests.Infrastructure;

namespace CertCredentials.Tool.Tests.Cli;

public sealed class CommandLineTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [MemberData(nameof(ToolRunner.Ways), MemberType = typeof(ToolRunner))]
    public async Task Parse_errors_exit_with_2_in_one_line_that_points_to_help(string way)
    {
        var tool = ToolRunner.For(way);

        var unknown = await tool.RunAsync(_directory.Path, "new", "--subject", "CN=x", "--colour");
        var missing = await tool.RunAsync(_directory.Path, "new");
        var noCommand = await tool.RunAsync(_directory.Path);

        foreach (var (result, help) in new[] { (unknown, "certcred new --help"), (missing, "certcred new --help"), (noCommand, "certcred --help") })
        {
            result.ExitCode.Should().Be(2, result.ToString());
            result.ErrorLines.Should().ContainSingle().Which.Should().StartWith("certcred: ").And.Contain(help);
        }

        missing.Error.Should().Contain("--subject");
    }

    [Theory]
    [MemberData(nameof(ToolRunner.Ways), MemberType = typeof(ToolRunner))]
    public async Task Help_lists_every_command_and_exits_with_0(string way)
    {
        var result = await ToolRunner.For(way).RunAsync(_directory.Path, "--help");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain("new").And.Contain("thumbprint").And.Contain("inspect").And.Contain("check").And.Contain("token").And.Contain("emulate");
    }
}
