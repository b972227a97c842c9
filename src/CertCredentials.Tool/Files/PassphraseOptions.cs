using System.CommandLine;
using CertCredentials.Tool.Cli;
using Spectre.Console;

namespace CertCredentials.Tool.Files;

/// <summary>
/// Where a passphrase comes from: a file (its first line) or an environment variable, never the command line itself
/// (it would land in shell history and in the process list). <c>new</c> adds <c>--no-passphrase</c> and, on a
/// terminal, a prompt.
/// </summary>
internal sealed class PassphraseOptions
{
    private readonly bool _forNewKey;

    public PassphraseOptions(bool forNewKey)
    {
        _forNewKey = forNewKey;
        File = new Option<string?>("--passphrase-file")
        {
            Description = forNewKey
                ? "Encrypt the key with the passphrase in this file (its first line)"
                : "The passphrase of an encrypted key or .pfx, from this file (its first line)",
            HelpName = "FILE",
        };
        Environment = new Option<string?>("--passphrase-env")
        {
            Description = forNewKey
                ? "Encrypt the key with the passphrase in this environment variable"
                : "The passphrase of an encrypted key or .pfx, from this environment variable",
            HelpName = "VAR",
        };
        None = new Option<bool>("--no-passphrase") { Description = "Write the key unencrypted (keep it in a secret store)" };
    }

    public Option<string?> File { get; }

    public Option<string?> Environment { get; }

    public Option<bool> None { get; }

    public void AddTo(Command command)
    {
        command.Options.Add(File);
        command.Options.Add(Environment);
        if (_forNewKey)
        {
            command.Options.Add(None);
        }
    }

    /// <summary>The passphrase, or null for none (<c>--no-passphrase</c>, or no source when reading).</summary>
    public string? Resolve(ParseResult parseResult, ToolContext context)
    {
        var file = parseResult.GetValue(File);
        var variable = parseResult.GetValue(Environment);
        var none = _forNewKey && parseResult.GetValue(None);
        var given = (file is null ? 0 : 1) + (variable is null ? 0 : 1) + (none ? 1 : 0);
        if (given > 1)
        {
            throw new ToolFailure(ExitCodes.Usage, _forNewKey
                ? "Give only one of --passphrase-file, --passphrase-env and --no-passphrase."
                : "Give only one of --passphrase-file and --passphrase-env.");
        }

        if (file is not null)
        {
            return FromFile(context.FullPath(file));
        }

        if (variable is not null)
        {
            var value = context.GetEnvironmentVariable(variable);
            return string.IsNullOrEmpty(value)
                ? throw new ToolFailure(ExitCodes.Usage, $"The environment variable '{variable}' given in --passphrase-env is not set or empty.")
                : value;
        }

        if (!_forNewKey || none)
        {
            return null;
        }

        if (!context.IsInputTerminal)
        {
            throw new ToolFailure(ExitCodes.Usage,
                "The key is encrypted, and no passphrase was given: add --passphrase-file FILE or --passphrase-env VAR (or --no-passphrase for an unencrypted key).");
        }

        return Prompt();
    }

    private static string FromFile(string path)
    {
        string text;
        try
        {
            text = System.IO.File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ToolFailure(ExitCodes.Usage, $"The passphrase file '{path}' given in --passphrase-file cannot be read ({e.GetType().Name}).", e);
        }

        // As openssl's -passin file: the first line, without its line end.
        var end = text.IndexOfAny(['\r', '\n']);
        var passphrase = end < 0 ? text : text[..end];
        return passphrase.Length == 0
            ? throw new ToolFailure(ExitCodes.Usage, $"The passphrase file '{path}' given in --passphrase-file is empty (its first line is the passphrase).")
            : passphrase;
    }

    private static string Prompt()
    {
        var first = AnsiConsole.Prompt(new TextPrompt<string>("Passphrase for the new key:").Secret());
        var second = AnsiConsole.Prompt(new TextPrompt<string>("The same passphrase again:").Secret());
        return first == second
            ? first
            : throw new ToolFailure(ExitCodes.Usage, "The two passphrases differ; nothing was written.");
    }
}
