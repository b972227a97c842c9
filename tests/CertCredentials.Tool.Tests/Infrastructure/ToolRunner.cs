namespace CertCredentials.Tool.Tests.Infrastructure;

/// <summary>Runs certcred one way or the other: in this process, or as the built tool in a process of its own.</summary>
public abstract class ToolRunner
{
    public const string InProcess = "in process";
    public const string RealProcess = "as a process";

    /// <summary>Both ways, for theories: every command is tested in process and as a real process.</summary>
    public static TheoryData<string> Ways => [InProcess, RealProcess];

    public static ToolRunner For(string way) => way == InProcess ? new InProcessTool() : new ToolProcess();

    /// <summary>Runs <c>certcred args</c> in <paramref name="workingDirectory"/> with these environment variables added.</summary>
    public abstract Task<ToolResult> RunAsync(IReadOnlyList<string> args, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null);

    public Task<ToolResult> RunAsync(string workingDirectory, params string[] args) => RunAsync(args, workingDirectory);
}
