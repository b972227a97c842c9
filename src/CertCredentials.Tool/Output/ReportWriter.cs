using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using CertCredentials.Tool.Cli;
using Spectre.Console;

namespace CertCredentials.Tool.Output;

/// <summary>
/// Prints a <see cref="Report"/> in one of three ways: JSON for scripts (<c>--json</c>), tables with colour on a
/// terminal, and aligned plain text when the output is redirected.
/// </summary>
internal static class ReportWriter
{
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        // Paths and distinguished names stay readable (no \u002B for '+'); the output is not embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Write(Report report, ToolContext context, bool json)
    {
        if (json)
        {
            context.Output.WriteLine(ToJson(report).ToJsonString(JsonOptions));
        }
        else if (context.IsOutputTerminal)
        {
            WriteTables(report, context.Output);
        }
        else
        {
            WritePlain(report, context.Output);
        }

        context.Output.Flush();
    }

    public static JsonObject ToJson(Report report)
    {
        var root = new JsonObject();
        foreach (var section in report.Sections)
        {
            var node = new JsonObject();
            foreach (var field in section.Fields)
            {
                node[field.JsonName] = ToJsonValue(field.Value);
            }

            if (!section.IsListItem)
            {
                root[section.JsonName] = node;
            }
            else if (root[section.JsonName] is JsonArray array)
            {
                array.Add(node);
            }
            else
            {
                root[section.JsonName] = new JsonArray(node);
            }
        }

        if (report.AppSettings is not null)
        {
            root["appsettings"] = report.AppSettings.DeepClone();
        }

        if (report.NextSteps.Count > 0)
        {
            root["nextSteps"] = new JsonArray([.. report.NextSteps.Select(s => (JsonNode?)JsonValue.Create(s))]);
        }

        return root;
    }

    /// <summary>A time in <c>--json</c>: UTC, ISO 8601, whole seconds.</summary>
    public static string JsonTime(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>A value as people read it: times in UTC, lists joined, absent values as "(none)".</summary>
    public static string ToText(object? value) => value switch
    {
        null => "(none)",
        string s => s,
        bool b => b ? "yes" : "no",
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture),
        IEnumerable<string> list => list.Any() ? string.Join(", ", list) : "(none)",
        ReportLines lines => lines.Items.Count > 0 ? string.Join("\n", lines.Items) : "(none)",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static JsonNode? ToJsonValue(object? value) => value switch
    {
        null => null,
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        DateTimeOffset t => JsonValue.Create(JsonTime(t)),
        IEnumerable<string> list => new JsonArray([.. list.Select(s => (JsonNode?)JsonValue.Create(s))]),
        ReportLines lines => new JsonArray([.. lines.Items.Select(s => (JsonNode?)JsonValue.Create(s.Trim()))]),
        _ => JsonValue.Create(ToText(value)),
    };

    private static void WritePlain(Report report, TextWriter output)
    {
        var first = true;
        foreach (var section in report.Sections)
        {
            if (!first)
            {
                output.WriteLine();
            }

            first = false;
            output.WriteLine(section.Title);
            var width = section.Fields.Count == 0 ? 0 : section.Fields.Max(f => f.Label.Length) + 1;
            foreach (var field in section.Fields)
            {
                var lines = ToText(field.Value).Split('\n');
                output.WriteLine($"  {(field.Label + ":").PadRight(width)} {lines[0]}");
                foreach (var line in lines.Skip(1))
                {
                    output.WriteLine($"  {new string(' ', width)} {line}");
                }
            }
        }

        WriteTail(report, output, first);
    }

    private static void WriteTables(Report report, TextWriter output)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.Detect,
            ColorSystem = ColorSystemSupport.Detect,
        });
        foreach (var section in report.Sections)
        {
            var table = new Table { Border = TableBorder.Rounded, Title = new TableTitle(section.Title, new Style(Color.Aqua, decoration: Decoration.Bold)) };
            table.AddColumn(new TableColumn(string.Empty) { NoWrap = true });
            table.AddColumn(new TableColumn(string.Empty));
            table.HideHeaders();
            foreach (var field in section.Fields)
            {
                table.AddRow(new Text(field.Label, new Style(Color.Grey)), new Text(ToText(field.Value)));
            }

            console.Write(table);
        }

        WriteTail(report, output, report.Sections.Count == 0);
    }

    private static void WriteTail(Report report, TextWriter output, bool nothingBefore)
    {
        if (report.AppSettings is not null)
        {
            if (!nothingBefore)
            {
                output.WriteLine();
            }

            nothingBefore = false;
            output.WriteLine("appsettings.json");
            output.WriteLine(report.AppSettings.ToJsonString(JsonOptions));
        }

        if (report.NextSteps.Count > 0)
        {
            if (!nothingBefore)
            {
                output.WriteLine();
            }

            output.WriteLine("Next steps");
            var number = 1;
            foreach (var step in report.NextSteps)
            {
                output.WriteLine($"  {number++}. {step}");
            }
        }
    }
}
