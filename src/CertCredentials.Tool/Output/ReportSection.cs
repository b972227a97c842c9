namespace CertCredentials.Tool.Output;

/// <summary>
/// A titled group of fields. In <c>--json</c> it is the object <see cref="JsonName"/>; sections marked
/// <see cref="IsListItem"/> with one name form an array (one element per file or certificate).
/// </summary>
internal sealed class ReportSection
{
    private readonly List<ReportField> _fields = [];

    public ReportSection(string title, string jsonName, bool isListItem = false)
    {
        Title = title;
        JsonName = jsonName;
        IsListItem = isListItem;
    }

    public string Title { get; }

    public string JsonName { get; }

    public bool IsListItem { get; }

    public IReadOnlyList<ReportField> Fields => _fields;

    public ReportSection Add(string label, string jsonName, object? value)
    {
        _fields.Add(new ReportField(label, jsonName, value));
        return this;
    }
}
