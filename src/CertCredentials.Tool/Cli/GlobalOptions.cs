using System.CommandLine;

namespace CertCredentials.Tool.Cli;

/// <summary>The options every command takes.</summary>
internal sealed class GlobalOptions
{
    public Option<bool> Json { get; } = new("--json") { Description = "Print JSON for scripts instead of text", Recursive = true };

    public Option<bool> Verbose { get; } = new("--verbose") { Description = "Add the stack trace to a failure, and the library's informational logs", Recursive = true };
}
