namespace CertCredentials.Keys;

/// <summary>Undoes what forms, environment variables and shells do to pasted key text.</summary>
internal static class PastedText
{
    /// <summary>
    /// Literal <c>\n</c> escapes (environment variables, JSON pasted twice), CR and CRLF line ends, surrounding quotes,
    /// a byte-order mark and indentation all become plain LF-separated text.
    /// </summary>
    public static string Normalize(string text)
    {
        var s = text.Trim().TrimStart('\uFEFF').Trim();
        if (s.Length >= 2 && (s[0] == '"' || s[0] == '\'') && s[^1] == s[0])
        {
            s = s[1..^1];
        }

        // A PEM body never holds a backslash, so every "\n" / "\r" pair is an escape.
        if (s.Contains('\\', StringComparison.Ordinal))
        {
            s = s.Replace("\\r\\n", "\n", StringComparison.Ordinal)
                 .Replace("\\n", "\n", StringComparison.Ordinal)
                 .Replace("\\r", "\n", StringComparison.Ordinal);
        }

        return s.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Trim();
    }
}
