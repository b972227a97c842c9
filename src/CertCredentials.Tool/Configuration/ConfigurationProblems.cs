namespace CertCredentials.Tool.Configuration;

/// <summary>Every problem the library's validator found in the configuration: one line each, exit code 3.</summary>
internal sealed class ConfigurationProblems : Exception
{
    public ConfigurationProblems(IReadOnlyList<string> problems)
        : base(string.Join(" ", problems))
    {
        Problems = problems;
    }

    public ConfigurationProblems()
        : this([])
    {
    }

    public ConfigurationProblems(string message)
        : this([message])
    {
    }

    public ConfigurationProblems(string message, Exception? innerException)
        : base(message, innerException)
    {
        Problems = [message];
    }

    public IReadOnlyList<string> Problems { get; }
}
