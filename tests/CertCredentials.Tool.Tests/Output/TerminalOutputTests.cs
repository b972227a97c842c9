using System.Diagnostics;
using CertCredentials.Tool.Tests.Infrastructure;

namespace CertCredentials.Tool.Tests.Output;

/// <summary>
/// Tables and colour on a terminal, plain text when redirected: the tool run as a real process, once in a
/// pseudo-terminal that script(1) opens (util-linux, on every Debian), once with its output piped.
/// </summary>
public sealed class TerminalOutputTests : IDisposable
{
    private const char Escape = '\u001b';

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task On_a_terminal_the_report_is_a_table_in_colour()
    {
        var output = await RunInTerminalAsync("thumbprint", Fixtures.Path("rsa2048.crt.pem"));

        output.Should().Contain(Escape.ToString(), "a terminal gets colour");
        output.Should().Contain("╭", "a terminal gets the report as a table");
        output.Should().Contain(Fixtures.Thumbprints("rsa2048")["sha1_hex"], "the table holds the same thumbprints");
    }

    [Fact]
    public async Task Piped_the_report_is_plain_text_without_escape_codes()
    {
        var result = await new ToolProcess().RunAsync(["thumbprint", Fixtures.Path("rsa2048.crt.pem")], _directory.Path);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().NotContain(Escape.ToString(), "a pipe or a file gets no escape codes");
        result.Output.Should().NotContain("╭");
        result.Output.Should().Contain(Fixtures.Thumbprints("rsa2048")["sha1_hex"]);
    }

    private async Task<string> RunInTerminalAsync(params string[] args)
    {
        var script = File.Exists("/usr/bin/script") ? "/usr/bin/script" : throw new InvalidOperationException("script(1) is needed for this test: apt-get install bsdutils.");
        var command = string.Join(' ', new[] { ToolProcess.DotnetHost, ToolProcess.ToolAssembly }.Concat(args).Select(Quote));
        var info = new ProcessStartInfo(script)
        {
            WorkingDirectory = _directory.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--quiet", "--return", "--command", command, "/dev/null" })
        {
            info.ArgumentList.Add(arg);
        }

        // A colour terminal as a user has it, whatever the test run's own environment says (CI=true, NO_COLOR).
        info.Environment["TERM"] = "xterm-256color";
        info.Environment["COLORTERM"] = "truecolor";
        foreach (var name in new[] { "NO_COLOR", "CI", "TF_BUILD", "GITHUB_ACTIONS" })
        {
            info.Environment.Remove(name);
        }

        var result = await ToolProcess.RunToEndAsync(info, $"certcred {string.Join(' ', args)} under script(1)");
        result.ExitCode.Should().Be(0, result.ToString());
        return result.Output;
    }

    private static string Quote(string argument) => "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
