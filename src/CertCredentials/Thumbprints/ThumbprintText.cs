using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace CertCredentials.Thumbprints;

/// <summary>
/// Reads thumbprints in the forms people paste. Never echoes the input back: a key pasted into the thumbprint field
/// by mistake must not end up in an exception message.
/// </summary>
internal static class ThumbprintText
{
    private const string Forms =
        "Give the SHA-1 thumbprint as the Azure portal shows it (40 hex digits, colons or spaces allowed), " +
        "the SHA-256 as 64 hex digits, or either as base64url (27 or 43 characters, the x5t / x5t#S256 values) or base64.";

    public static bool TryParse(
        [NotNullWhen(true)] string? value,
        [NotNullWhen(true)] out CertificateThumbprint? thumbprint,
        out string problem)
    {
        thumbprint = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            problem = "The certificate thumbprint is empty. " + Forms;
            return false;
        }

        if (value.Length > 512)
        {
            problem = $"The certificate thumbprint is {value.Length} characters long, far longer than any thumbprint (was a key or certificate pasted into it?). " + Forms;
            return false;
        }

        var text = Clean(value, out var namedAlgorithm);

        if (TryBase64(text, out var hash) || TryHex(text, out hash))
        {
            var algorithm = hash.Length == 32 ? ThumbprintAlgorithm.Sha256 : ThumbprintAlgorithm.Sha1;
            if (namedAlgorithm is { } named && named != algorithm)
            {
                problem = $"The certificate thumbprint is labelled {Name(named)} but holds a {Name(algorithm)} hash ({hash.Length} bytes). " + Forms;
                return false;
            }

            thumbprint = new CertificateThumbprint(algorithm, hash);
            problem = string.Empty;
            return true;
        }

        problem = $"The certificate thumbprint is not a thumbprint: {Describe(text)}. " + Forms;
        return false;
    }

    private static string Name(ThumbprintAlgorithm algorithm) => algorithm == ThumbprintAlgorithm.Sha256 ? "SHA-256" : "SHA-1";

    /// <summary>
    /// Trims quotes, whitespace, invisible format characters (copying from Windows certificate dialogs adds U+200E)
    /// and an openssl-style <c>SHA1 Fingerprint=</c> prefix.
    /// </summary>
    private static string Clean(string value, out ThumbprintAlgorithm? namedAlgorithm)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.Format)
            {
                builder.Append(c);
            }
        }

        var text = builder.ToString().Trim().Trim('"', '\'').Trim();
        namedAlgorithm = null;

        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals > 0 && text.AsSpan(0, equals).Contains("fingerprint", StringComparison.OrdinalIgnoreCase))
        {
            var label = text[..equals];
            namedAlgorithm = label.Contains("256", StringComparison.Ordinal) ? ThumbprintAlgorithm.Sha256
                : label.Contains("sha1", StringComparison.OrdinalIgnoreCase) || label.Contains("sha-1", StringComparison.OrdinalIgnoreCase) ? ThumbprintAlgorithm.Sha1
                : null;
            text = text[(equals + 1)..].Trim();
        }

        return text;
    }

    /// <summary>Base64url or base64, padded or not, of exactly 20 or 32 bytes. Decided by length, so hex never reaches here.</summary>
    private static bool TryBase64(string text, [NotNullWhen(true)] out byte[]? hash)
    {
        hash = null;
        var unpadded = text.TrimEnd('=');
        if (unpadded.Length is not (27 or 43) || text.Length - unpadded.Length > 1)
        {
            return false;
        }

        foreach (var c in unpadded)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '+' or '/'))
            {
                return false;
            }
        }

        // Standard base64 with padding restored: Convert never throws here, where Base64Url does on spare bits.
        var standard = unpadded.Replace('-', '+').Replace('_', '/');
        standard = standard.PadRight(standard.Length + (4 - standard.Length % 4) % 4, '=');
        var bytes = new byte[standard.Length];
        if (!Convert.TryFromBase64String(standard, bytes, out var written) || written is not (20 or 32))
        {
            return false;
        }

        // A hash always encodes canonically (its spare bits zero): anything else is a mistyped value, not a thumbprint.
        hash = bytes[..written];
        if (!string.Equals(Convert.ToBase64String(hash).TrimEnd('='), standard.TrimEnd('='), StringComparison.Ordinal))
        {
            hash = null;
            return false;
        }

        return true;
    }

    /// <summary>Hex digits, any case, with any of colon, space, dash or tab between them: 40 (SHA-1) or 64 (SHA-256).</summary>
    private static bool TryHex(string text, [NotNullWhen(true)] out byte[]? hash)
    {
        hash = null;
        var digits = new StringBuilder(64);
        foreach (var c in text)
        {
            if (char.IsAsciiHexDigit(c))
            {
                if (digits.Length == 64)
                {
                    return false;
                }

                digits.Append(c);
            }
            else if (c is not (':' or ' ' or '-' or '\t'))
            {
                return false;
            }
        }

        if (digits.Length is not (40 or 64))
        {
            return false;
        }

        hash = Convert.FromHexString(digits.ToString());
        return true;
    }

    /// <summary>Says what the text looks like without repeating it.</summary>
    private static string Describe(string text)
    {
        var hexDigits = text.Count(char.IsAsciiHexDigit);
        var others = text.Count(c => !char.IsAsciiHexDigit(c) && c is not (':' or ' ' or '-' or '\t'));
        return others == 0
            ? $"it has {hexDigits} hex digits where a SHA-1 thumbprint has 40 and a SHA-256 has 64"
            : $"it is {text.Length} characters long and is neither hex nor base64 of a 20- or 32-byte hash";
    }
}
