using System.Text.RegularExpressions;

namespace CertCredentials.Tests.Infrastructure;

/// <summary>Finds secrets in text that must never hold them: key bodies, passphrases, tokens.</summary>
internal static partial class SecretScan
{
    [GeneratedRegex(@"-----BEGIN [A-Z ]*PRIVATE KEY-----(.*?)-----END [A-Z ]*PRIVATE KEY-----", RegexOptions.Singleline)]
    private static partial Regex KeyBlock();

    /// <summary>
    /// 24-character windows every 12 characters of a secret's base64 body, so that any run of 35 characters or more of
    /// it is caught, a fragment as well as the whole; short secrets (up to 40 characters, like passphrases) whole.
    /// </summary>
    public static IEnumerable<string> Fragments(string secret)
    {
        var bodies = KeyBlock().Matches(secret).Select(m => m.Groups[1].Value).ToList();
        if (bodies.Count == 0)
        {
            bodies.Add(secret);
        }

        foreach (var body in bodies)
        {
            var compact = new string(body.Where(c => char.IsLetterOrDigit(c) || c is '+' or '/' or '-' or '_' or '!').ToArray());
            if (compact.Length <= 40)
            {
                yield return body.Trim();
                continue;
            }

            for (var i = 0; i + 24 <= compact.Length; i += 12)
            {
                yield return compact.Substring(i, 24);
            }
        }
    }

    public static void AssertClean(string text, params string[] secrets)
    {
        foreach (var secret in secrets.Where(s => !string.IsNullOrEmpty(s)))
        {
            foreach (var fragment in Fragments(secret))
            {
                text.Should().NotContain(fragment, "no secret may appear in messages, logs or ToString()");
            }
        }
    }

    public static void AssertClean(Exception exception, params string[] secrets)
    {
        AssertClean(exception.Message, secrets);
        AssertClean(exception.ToString(), secrets);
    }
}
