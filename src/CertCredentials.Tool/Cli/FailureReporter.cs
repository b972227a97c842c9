using CertCredentials.Tool.Configuration;
using Microsoft.Extensions.Options;

namespace CertCredentials.Tool.Cli;

/// <summary>
/// Turns what a command threw into its exit code and one line on stderr (a line per problem when the configuration
/// has several), with the stack trace only under <c>--verbose</c>. Library messages say what is wrong and how to fix
/// it and never hold a secret; they are printed as they are, on one line.
/// </summary>
internal static class FailureReporter
{
    public const string Prefix = "certcred: ";

    public static int Report(Exception exception, ToolContext context, bool verbose, string? hint = null)
    {
        var (code, lines) = exception switch
        {
            ToolFailure tool => (tool.ExitCode, new[] { tool.Message }),
            CertificateCredentialException credential => (ExitCodes.For(credential.Failure), new[] { $"{credential.Failure}: {credential.Message}{Hint(credential, hint)}" }),
            ConfigurationProblems problems => (ExitCodes.Configuration, problems.Problems.Select(p => $"{CertificateCredentialFailure.InvalidOptions}: {p}").ToArray()),
            OptionsValidationException options => (ExitCodes.Configuration, options.Failures.ToArray()),
            OperationCanceledException => (ExitCodes.Interrupted, new[] { "Interrupted." }),
            _ => (ExitCodes.Unexpected, new[] { $"Unexpected {exception.GetType().Name}: {exception.Message}{(verbose ? string.Empty : " (--verbose shows where)")}" }),
        };

        foreach (var line in lines)
        {
            context.Error.WriteLine(Prefix + OneLine(line));
        }

        if (verbose)
        {
            context.Error.WriteLine(exception.ToString());
        }

        context.Error.Flush();
        return code;
    }

    /// <summary>Writes a problem found by the tool itself, one line per problem.</summary>
    public static int Report(int code, IEnumerable<string> problems, ToolContext context)
    {
        foreach (var problem in problems)
        {
            context.Error.WriteLine(Prefix + OneLine(problem));
        }

        context.Error.Flush();
        return code;
    }

    public static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static string Hint(CertificateCredentialException exception, string? hint) =>
        hint is not null && exception.Failure is CertificateCredentialFailure.PassphraseRequired or CertificateCredentialFailure.PassphraseIncorrect
            ? " " + hint
            : string.Empty;
}
