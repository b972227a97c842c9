using System.Text.RegularExpressions;

namespace CertCredentials.Keys;

/// <summary>
/// Splits text into PEM blocks. Tolerates what people do to PEM: text between blocks (openssl's "Bag Attributes",
/// "subject=" lines), indentation, a whole block on one line with spaces for line breaks, and legacy
/// <c>Proc-Type</c>/<c>DEK-Info</c> headers on their own lines or inline.
/// </summary>
internal static partial class PemReader
{
    [GeneratedRegex(@"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END ([A-Z0-9 ]+)-----", RegexOptions.Singleline | RegexOptions.CultureInvariant, 1000)]
    private static partial Regex BlockPattern();

    [GeneratedRegex(@"-----BEGIN ([A-Z0-9 ]+)-----", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex BeginPattern();

    [GeneratedRegex(@"Proc-Type:\s*([0-9]+\s*,\s*[A-Z\-]+)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, 1000)]
    private static partial Regex ProcTypePattern();

    [GeneratedRegex(@"DEK-Info:\s*([A-Za-z0-9\-]+)\s*,\s*([0-9A-Fa-f]+)", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex DekInfoPattern();

    /// <summary>Whether the text holds at least one BEGIN marker.</summary>
    public static bool LooksLikePem(string normalizedText) => normalizedText.Contains("-----BEGIN ", StringComparison.Ordinal);

    /// <summary>Reads every block. Throws a typed error for a block that is truncated or whose base64 is corrupt.</summary>
    public static IReadOnlyList<PemBlock> ReadBlocks(string normalizedText, KeySource source)
    {
        var blocks = new List<PemBlock>();
        var consumedUpTo = 0;
        foreach (Match match in BlockPattern().Matches(normalizedText))
        {
            var label = match.Groups[1].Value.Trim();
            var endLabel = match.Groups[3].Value.Trim();
            if (!string.Equals(label, endLabel, StringComparison.Ordinal))
            {
                throw KeyErrors.Unreadable(source,
                    $"a PEM block begins with '-----BEGIN {label}-----' but ends with '-----END {endLabel}-----'. Two blocks were probably spliced together; copy each one whole");
            }

            ThrowIfUnclosedBeginBefore(normalizedText, consumedUpTo, match.Index, source);
            consumedUpTo = match.Index + match.Length;
            blocks.Add(ParseBody(label, match.Groups[2].Value, source));
        }

        ThrowIfUnclosedBeginBefore(normalizedText, consumedUpTo, normalizedText.Length, source);
        return blocks;
    }

    private static void ThrowIfUnclosedBeginBefore(string text, int from, int to, KeySource source)
    {
        var begin = BeginPattern().Match(text, from, to - from);
        if (begin.Success)
        {
            var label = begin.Groups[1].Value.Trim();
            throw KeyErrors.Unreadable(source,
                $"the PEM block '{label}' has no '-----END {label}-----' line: the text was cut short. Copy the whole block, from the BEGIN line through the END line");
        }
    }

    private static PemBlock ParseBody(string label, string body, KeySource source)
    {
        string? procType = null;
        string? dekInfo = null;

        var proc = ProcTypePattern().Match(body);
        if (proc.Success)
        {
            procType = proc.Groups[1].Value.Replace(" ", string.Empty, StringComparison.Ordinal);
            body = body.Remove(proc.Index, proc.Length);
        }

        var dek = DekInfoPattern().Match(body);
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
