using System.Text.Json.Nodes;

namespace CertCredentials.Tool.Output;

/// <summary>What a command prints: sections of fields, an appsettings.json to copy, and next steps.</summary>
internal sealed class Report
{
    private readonly List<ReportSection> _sections = [];
    private readonly List<string> _nextSteps = [];

    public IReadOnlyList<ReportSection> Sections => _sections;

    public IReadOnlyList<string> NextSteps => _nextSteps;

    /// <summary>An appsettings.json for the credential, printed as JSON text (and as <c>appsettings</c> in <c>--json</c>).</summary>
    public JsonObject? AppSettings { get; set; }

    public ReportSection AddSection(string title, string jsonName, bool isListItem = false)
    {
        var section = new ReportSection(title, jsonName, isListItem);
        _sections.Add(section);
        return section;
    }

    public void AddNextStep(string step) => _nextSteps.Add(step);
}
