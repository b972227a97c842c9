using System.Text;

namespace CertCredentials.Benchmarks.Scenarios;

/// <summary>A GitHub markdown table, also readable on a console.</summary>
internal sealed class MarkdownTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public void Add(params string[] cells) => _rows.Add(cells);

    public override string ToString()
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => i < r.Length ? r[i].Length : 0))).ToArray();
        var text = new StringBuilder();
        Line(text, headers, widths);
        text.Append('|');
        foreach (var width in widths)
        {
            text.Append(new string('-', width + 2)).Append('|');
        }

        text.AppendLine();
        foreach (var row in _rows)
        {
            Line(text, row, widths);
        }

        return text.ToString();
    }

    private static void Line(StringBuilder text, string[] cells, int[] widths)
    {
        text.Append('|');
        for (var i = 0; i < widths.Length; i++)
        {
            text.Append(' ').Append((i < cells.Length ? cells[i] : string.Empty).PadRight(widths[i])).Append(" |");
        }

        text.AppendLine();
    }
}
