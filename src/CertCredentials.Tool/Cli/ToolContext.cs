using System.Collections;

namespace CertCredentials.Tool.Cli;

/// <summary>
/// What a command reads from and writes to besides its arguments: the output streams, whether they are terminals, the
/// environment, the working directory and the clock. The process gives the real ones; in-process tests give their own,
/// so tests run in parallel without touching the process's console or environment.
/// </summary>
internal sealed class ToolContext
{
    private readonly IReadOnlyDictionary<string, string>? _environment;

    public ToolContext(TextWriter output, TextWriter error, IReadOnlyDictionary<string, string>? environment = null,
                       string? workingDirectory = null, TimeProvider? timeProvider = null)
    {
        Output = output;
        Error = error;
        _environment = environment;
        WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory;
        TimeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The process's console, environment, directory and clock.</summary>
    public static ToolContext FromProcess() => new(Console.Out, Console.Error)
    {
        IsOutputTerminal = !Console.IsOutputRedirected,
        IsInputTerminal = !Console.IsInputRedirected,
    };

    public TextWriter Output { get; }

    public TextWriter Error { get; }

    /// <summary>Whether stdout is a terminal: tables and colour then; plain text when redirected.</summary>
    public bool IsOutputTerminal { get; init; }

    /// <summary>Whether stdin is a terminal, so a passphrase may be asked for.</summary>
    public bool IsInputTerminal { get; init; }

    /// <summary>True when the environment is the process's own (the configuration then reads it with its own provider).</summary>
    public bool UsesProcessEnvironment => _environment is null;

    public string WorkingDirectory { get; }

    public TimeProvider TimeProvider { get; }

    public string? GetEnvironmentVariable(string name) =>
        _environment is null ? Environment.GetEnvironmentVariable(name)
        : _environment.TryGetValue(name, out var value) ? value : null;

    /// <summary>Every environment variable, as given or from the process.</summary>
    public IEnumerable<KeyValuePair<string, string>> EnvironmentVariables()
    {
        if (_environment is not null)
        {
            return _environment;
        }

        return Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .Select(e => new KeyValuePair<string, string>((string)e.Key, e.Value as string ?? string.Empty));
    }

    /// <summary>A path from the command line, made absolute against the working directory.</summary>
    public string FullPath(string path) => Path.GetFullPath(path, WorkingDirectory);
}
