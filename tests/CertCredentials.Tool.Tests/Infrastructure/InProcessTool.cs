using CertCredentials.Tool.Cli;

namespace CertCredentials.Tool.Tests.Infrastructure;

/// <summary>
/// certcred's entry point called in this process with writers of its own, the environment given (nothing of the
/// test process's own leaks in, so tests stay independent), and no terminal (plain text, no prompts).
/// </summary>
public sealed class InProcessTool : ToolRunner
{
    public override async Task<ToolResult> RunAsync(IReadOnlyList<string> args, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        return await RunAsync(args, workingDirectory, environment, cancellation.Token);
    }

    public static async Task<ToolResult> RunAsync(IReadOnlyList<string> args, string workingDirectory, IReadOnlyDictionary<string, string>? environment,
                                                  CancellationToken cancellationToken, TextWriter? output = null)
    {
        var stdout = output ?? new StringWriter();
        var stderr = new StringWriter();
        var context = new ToolContext(stdout, stderr, environment ?? new Dictionary<string, string>(), workingDirectory);
        var code = await CertcredApp.RunAsync([.. args], context, cancellationToken);
        return new ToolResult(code, stdout.ToString() ?? string.Empty, stderr.ToString());
    }
}
