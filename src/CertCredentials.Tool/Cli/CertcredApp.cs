using System.CommandLine;
using CertCredentials.Tool.Commands;

namespace CertCredentials.Tool.Cli;

/// <summary>The <c>certcred</c> command line: its commands, parse errors as one line and exit code 2, and the run.</summary>
internal static class CertcredApp
{
    public static RootCommand Create(ToolContext context)
    {
        var global = new GlobalOptions();
        var root = new RootCommand("certcred: make, inspect and check the certificate of a Microsoft Entra application, and run a local Entra-compatible token service.")
        {
            NewCommand.Create(context, global),
            ThumbprintCommand.Create(context, global),
            InspectCommand.Create(context, global),
            CheckCommand.Create(context, global),
            TokenCommand.Create(context, global),
            EmulateCommand.Create(context, global),
        };
        root.Options.Add(global.Json);
        root.Options.Add(global.Verbose);
        return root;
    }

    public static async Task<int> RunAsync(string[] args, ToolContext context, CancellationToken cancellationToken = default)
    {
        var root = Create(context);
        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0 && parseResult.Action is not { ClearsParseErrors: true })
        {
            var command = parseResult.CommandResult.Command;
            var name = command == root ? "certcred" : $"certcred {command.Name}";
            var errors = string.Join(" ", parseResult.Errors.Select(e => e.Message.TrimEnd('.') + "."));
            return FailureReporter.Report(ExitCodes.Usage, [$"{errors} See '{name} --help'."], context);
        }

        var invocation = new InvocationConfiguration
        {
            Output = context.Output,
            Error = context.Error,
            // emulate handles SIGINT and SIGTERM itself, to stop its servers and exit 0; the other commands keep the
            // runtime's default (Ctrl+C ends them at once).
            ProcessTerminationTimeout = null,
            EnableDefaultExceptionHandler = false,
        };
        return await parseResult.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
    }
}
