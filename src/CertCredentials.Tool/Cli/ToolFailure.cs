namespace CertCredentials.Tool.Cli;

/// <summary>
/// A refusal by the tool itself (an output file exists, a passphrase source gives nothing): printed as one line on
/// stderr, without a stack trace, and ends the command with <see cref="ExitCode"/>.
/// </summary>
internal sealed class ToolFailure : Exception
{
    public ToolFailure(int exitCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ExitCode = exitCode;
    }

    public ToolFailure()
        : this(ExitCodes.Unexpected, "certcred failed.")
    {
    }

    public ToolFailure(string message)
        : this(ExitCodes.Unexpected, message)
    {
    }

    public ToolFailure(string message, Exception? innerException)
        : this(ExitCodes.Unexpected, message, innerException)
    {
    }

    public int ExitCode { get; }
}
