namespace CertCredentials.Tool.Tests.Infrastructure;

/// <summary>What one run of certcred gave: its exit code and everything it wrote.</summary>
public sealed record ToolResult(int ExitCode, string Output, string Error)
{
    public IReadOnlyList<string> ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The refusal lines (the tool's own; warnings relayed from the library start with "warning:").</summary>
    public IReadOnlyList<string> RefusalLines => [.. ErrorLines.Where(l => l.StartsWith("certcred: ", StringComparison.Ordinal))];

    public System.Text.Json.JsonElement Json => System.Text.Json.JsonDocument.Parse(Output).RootElement;

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}
