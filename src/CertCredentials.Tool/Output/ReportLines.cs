namespace CertCredentials.Tool.Output;

/// <summary>A field value shown one item per line (a file's contents), and as an array in <c>--json</c>.</summary>
internal sealed record ReportLines(IReadOnlyList<string> Items);
