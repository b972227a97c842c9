using System.Text.RegularExpressions;

namespace CertCredentials.Keys;

/// <summary>
/// Splits text into PEM blocks. Tolerates what people do to PEM: text between blocks (openssl's "Bag Attributes",
/// "subject=" lines), indentation, a whole block on one line with spaces for line breaks, and legacy
/// <c>Proc-Type</c>/<c>DEK-Info</c> headers on their own lines or inline.
/// </summary>
internal static partial class PemReader
{
    [GeneratedRegex(@"Proc-Type:\s*([0-9]+\s*,\s*[A-Z\-]+)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, 1000)]
    private static partial Regex ProcTypePattern();

    [GeneratedRegex(@"DEK-Info:\s*([A-Za-z0-9\-]+)\s*,\s*([0-9A-Fa-f]+)", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex DekInfoPattern();

    private const string Begin = "-----BEGIN ";
    private const string End = "-----END ";
    private const string Dashes = "-----";
    private const int MaxLabelLength = 64;

    /// <summary>Whether the text holds at least one BEGIN marker.</summary>
    public static bool LooksLikePem(string normalizedText) => normalizedText.Contains(Begin, StringComparison.Ordinal);

    /// <summary>
    /// Reads every block, scanning once from left to right (no backtracking: text of many thousand markers costs what
    /// its length costs). Throws a typed error for a block that is truncated, spliced or whose base64 is corrupt.
    /// </summary>
    public static IReadOnlyList<PemBlock> ReadBlocks(string normalizedText, KeySource source)
    {
        var blocks = new List<PemBlock>();
        var position = 0;
        while (true)
        {
            var begin = normalizedText.IndexOf(Begin, position, StringComparison.Ordinal);
            if (begin < 0)
            {
                return blocks;
            }

            var label = ReadLabel(normalizedText, begin + Begin.Length, out var bodyStart);
            if (label is null)
            {
                // "-----BEGIN " not followed by a label and dashes: not a marker; look further.
                position = begin + Begin.Length;
                continue;
            }

            var end = normalizedText.IndexOf(End, bodyStart, StringComparison.Ordinal);
            var nextBegin = normalizedText.IndexOf(Begin, bodyStart, StringComparison.Ordinal);
            if (end < 0 || (nextBegin >= 0 && nextBegin < end))
            {
                throw KeyErrors.Unreadable(source,
                    $"the PEM block '{label}' has no '-----END {label}-----' line: the text was cut short. Copy the whole block, from the BEGIN line through the END line");
            }

            var endLabel = ReadLabel(normalizedText, end + End.Length, out var after);
            if (!string.Equals(label, endLabel, StringComparison.Ordinal))
            {
                throw KeyErrors.Unreadable(source,
                    $"a PEM block begins with '-----BEGIN {label}-----' but ends with '-----END {endLabel ?? "?"}-----'. Two blocks were probably spliced together; copy each one whole");
            }

            blocks.Add(ParseBody(label, normalizedText[bodyStart..end], source));
            position = after;
        }
    }

    /// <summary>Reads "LABEL-----" at <paramref name="start"/>: upper-case letters, digits and spaces, bounded.</summary>
    private static string? ReadLabel(string text, int start, out int after)
    {
        after = start;
        var i = start;
        while (i < text.Length && i - start <= MaxLabelLength && (char.IsAsciiLetterUpper(text[i]) || char.IsAsciiDigit(text[i]) || text[i] == ' '))
        {
            i++;
        }

        if (i == start || i - start > MaxLabelLength || string.CompareOrdinal(text, i, Dashes, 0, Dashes.Length) != 0)
        {
            return null;
        }

        after = i + Dashes.Length;
        return text[start..i].Trim();
    }

    private static PemBlock ParseBody(string label, string body, KeySource source)
    {
        string? procType = null;
        string? dekInfo = null;

        Match proc;
        Match dek;
        try
        {
            proc = ProcTypePattern().Match(body);
            dek = DekInfoPattern().Match(proc.Success ? body.Remove(proc.Index, proc.Length) : body);
        }
        catch (RegexMatchTimeoutException e)
        {
            throw KeyErrors.Unreadable(source, $"the PEM block '{label}' has headers that cannot be read", e);
        }

        if (proc.Success)
        {
            procType = proc.Groups[1].Value.Replace(" ", string.Empty, StringComparison.Ordinal);
            body = body.Remove(proc.Index, proc.Length);
        }

        if (dek.Success)
        {
            dekInfo = dek.Groups[1].Value.ToUpperInvariant() + "," + dek.Groups[2].Value;
            body = body.Remove(dek.Index, dek.Length);
        }

        // Any other RFC 1421 header line ("Comment: ...") holds a colon, which base64 never does.
        var base64 = new System.Text.StringBuilder(body.Length);
        foreach (var line in body.Split('\n'))
        {
            if (line.Contains(':', StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var c in line)
            {
                if (!char.IsWhiteSpace(c))
                {
                    base64.Append(c);
                }
            }
        }

        if (base64.Length == 0)
        {
            throw KeyErrors.Unreadable(source, $"the PEM block '{label}' is empty between its BEGIN and END lines");
        }

        var der = new byte[base64.Length * 3 / 4 + 3];
        if (!Convert.TryFromBase64Chars(base64.ToString(), der, out var written))
        {
            var reason = base64.Length % 4 != 0
                ? "its length is not a multiple of 4, so characters were lost (a truncated or partly copied key)"
                : "it holds characters that are not base64";
            throw KeyErrors.Unreadable(source,
                $"the base64 inside the PEM block '{label}' is corrupt: {reason}. Copy the block again from its source");
        }

        return new PemBlock(label, procType, dekInfo, der[..written]);
    }
}
