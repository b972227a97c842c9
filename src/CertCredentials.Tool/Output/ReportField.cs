namespace CertCredentials.Tool.Output;

/// <summary>
/// One line of a report: a label for people, a name for <c>--json</c>, and a value (text, number, flag, time or list).
/// Values are never secrets: the commands put no key, passphrase, assertion or token in a report.
/// </summary>
internal sealed record ReportField(string Label, string JsonName, object? Value);
