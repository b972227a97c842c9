using System.Net.Http.Headers;
using System.Text;

namespace CertCredentials.Http;

/// <summary>
/// A resource's <c>WWW-Authenticate: Bearer</c> challenge: its <c>error</c> and, for a CAE claims challenge, the
/// decoded <c>claims</c> JSON.
/// </summary>
internal sealed record BearerChallenge(string? Error, string? Claims)
{
    public bool IsInvalidToken => string.Equals(Error, "invalid_token", StringComparison.Ordinal);

    public bool IsClaimsChallenge => string.Equals(Error, "insufficient_claims", StringComparison.Ordinal) && Claims is not null;

    public static BearerChallenge? From(HttpHeaderValueCollection<AuthenticationHeaderValue> challenges)
    {
        foreach (var challenge in challenges)
        {
            if (string.Equals(challenge.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase))
            {
                var parameters = ParseParameters(challenge.Parameter);
                parameters.TryGetValue("error", out var error);
                parameters.TryGetValue("claims", out var claims);
                return new BearerChallenge(error, DecodeClaims(claims));
            }
        }

        return null;
    }

    /// <summary>Reads <c>name="value", name=value</c> pairs; quoted values may hold commas and escaped quotes.</summary>
    internal static Dictionary<string, string> ParseParameters(string? text)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (string.IsNullOrEmpty(text))
        {
            return result;
        }

        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && (text[i] == ',' || char.IsWhiteSpace(text[i])))
            {
                i++;
            }

            var nameStart = i;
            while (i < text.Length && text[i] != '=' && text[i] != ',')
            {
                i++;
            }

            var name = text[nameStart..i].Trim();
            if (i >= text.Length || text[i] != '=')
            {
                continue;
            }

            i++;
            var value = new StringBuilder();
            if (i < text.Length && text[i] == '"')
            {
                i++;
                while (i < text.Length && text[i] != '"')
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                    }

                    value.Append(text[i++]);
                }

                i++;
            }
            else
            {
                while (i < text.Length && text[i] != ',')
                {
                    value.Append(text[i++]);
                }
            }

            if (name.Length > 0)
            {
                result[name] = value.ToString().Trim();
            }
        }

        return result;
    }

    /// <summary>Graph sends base64; tolerate base64url and missing padding. Null when it does not decode to JSON.</summary>
    private static string? DecodeClaims(string? encoded)
    {
        if (string.IsNullOrWhiteSpace(encoded))
        {
            return null;
        }

        var text = encoded.Trim().Replace('-', '+').Replace('_', '/');
        text = text.PadRight(text.Length + (4 - text.Length % 4) % 4, '=');
        var bytes = new byte[text.Length];
        if (!Convert.TryFromBase64String(text, bytes, out var written))
        {
            return encoded.TrimStart().StartsWith('{') ? encoded : null;
        }

        var json = Encoding.UTF8.GetString(bytes, 0, written);
        return json.TrimStart().StartsWith('{') ? json : null;
    }
}
