using System.CommandLine;

namespace CertCredentials.Tool.Cli;

/// <summary>Runs a command's body and turns every refusal and failure into its exit code and message.</summary>
internal static class CommandAction
{
    /// <summary>Appended to passphrase refusals of commands that take one, whose words name the library's option.</summary>
    public const string PassphraseHint = "With certcred, give it with --passphrase-file FILE or --passphrase-env VAR.";

    public static void Set(Command command, ToolContext context, GlobalOptions global, Func<ParseResult, CancellationToken, Task<int>> body,
                           string? hint = null)
    {
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            try
            {
                return await body(parseResult, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                return FailureReporter.Report(e, context, parseResult.GetValue(global.Verbose), hint);
            }
        });
    }
}
