using System.Globalization;
using System.Text.RegularExpressions;
using CertCredentials.Thumbprints;

namespace CertCredentials.Configuration;

/// <summary>
/// The one place that decides how an option's value appears in a message, a log or a ToString(). A value that has the
/// shape of what the option holds is echoed (so a typo can be seen); anything else is described, never echoed: text
/// that looks like PEM or base64 key material ("1,708 characters starting with -----BEGIN PRIVATE KEY-----: was a key
/// pasted here?"), text longer than the option's value can be, or text with characters the option's value never holds
/// (as a passphrase has). A secret that happens to have the option's shape (a passphrase of letters only, pasted into
/// TenantId) cannot be told from a value and is echoed: the guard is for the mistakes that can be seen.
/// </summary>
internal static partial class OptionText
{
    /// <summary>Longer than this is no path a user types (Windows' MAX_PATH is 260; the key reader treats 1,024 as the end of a path too).</summary>
    public const int MaxPathLength = 1024;

    /// <summary>A domain name ends at 253 characters; a GUID in braces is 38.</summary>
    public const int MaxIdLength = 253;

    /// <summary>URLs in practice end at 2,048 characters.</summary>
    public const int MaxUrlLength = 2048;

    private const int MaxAlgorithmLength = 16;
    private const int MaxPermissionLength = 120;

    private static readonly System.Buffers.SearchValues<char> Base64Characters =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_");

    /// <summary>The value quoted (<c>'value'</c>) when it may be echoed, else its description in parentheses.</summary>
    public static string Quote(string? value, OptionKind kind) =>
        value is null ? "(not set)" : CanEcho(value, kind) ? $"'{value}'" : $"({Describe(value, kind)})";

    /// <summary>The value as is when it may be echoed (for ToString), else its description in parentheses.</summary>
    public static string Show(string? value, OptionKind kind) =>
        value is null ? "(not set)" : CanEcho(value, kind) ? value : $"({Describe(value, kind)})";

    /// <summary>A URL option (AuthorityHost, TokenEndpoint), judged by the text it was made from.</summary>
    public static string Quote(Uri? value) => value is null ? "(not set)" : CanEcho(value.OriginalString, OptionKind.Url) ? $"'{value}'" : $"({Describe(value.OriginalString, OptionKind.Url)})";

    /// <summary>A URL option for ToString.</summary>
    public static string Show(Uri? value) => value is null ? "(not set)" : CanEcho(value.OriginalString, OptionKind.Url) ? value.ToString() : $"({Describe(value.OriginalString, OptionKind.Url)})";

    /// <summary>Whether <paramref name="value"/> has the shape of what a <paramref name="kind"/> option holds, and may be shown.</summary>
    public static bool CanEcho(string value, OptionKind kind)
    {
        var text = value.Trim();
        if (LooksLikeKeyMaterial(value) || value.Length > MaxLength(kind) || text.Any(char.IsControl))
        {
            return false;
        }

        return kind switch
        {
            OptionKind.Tenant => text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '{' or '}'),
            OptionKind.ClientId => text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or ':' or '@' or '{' or '}'),
            OptionKind.Algorithm => text.All(char.IsAsciiLetterOrDigit),
            OptionKind.Scope => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).All(IsScopeShaped),
            OptionKind.Path => text.Contains('/', StringComparison.Ordinal) || text.Contains('\\', StringComparison.Ordinal) || text.Contains('.', StringComparison.Ordinal),
            OptionKind.Url => Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) && !text.Any(char.IsWhiteSpace),
            OptionKind.Thumbprint => ThumbprintText.TryParse(value, out _, out _),
            _ => false,
        };
    }

    /// <summary>What the value is, without any of it: its length, and the PEM label it starts with if it is one.</summary>
    public static string Describe(string value, OptionKind kind)
    {
        var length = value.Length.ToString("N0", CultureInfo.InvariantCulture);
        var trimmed = value.TrimStart().TrimStart('"', '\'');
        var label = PemLabel().Match(value);
        if (label.Success)
        {
            return trimmed.StartsWith(label.Value, StringComparison.Ordinal)
                ? $"{length} characters starting with {label.Value}: was a key pasted here?"
                : $"{length} characters holding a {label.Value} block: was a key pasted here?";
        }

        if (LooksLikeKeyMaterial(value))
        {
            return $"{length} characters of base64, as a key or a .pfx file is written: was a key pasted here?";
        }

        if (value.Length > MaxLength(kind))
        {
            return $"{length} characters, longer than {Noun(kind)} can be: was a key or other secret pasted here?";
        }

        return kind == OptionKind.Path
            ? $"{length} characters with neither a folder nor a file extension: was a passphrase or other secret pasted here?"
            : $"{length} characters that cannot be {Noun(kind)}: was a passphrase or other secret pasted here?";
    }

    /// <summary>PEM (a BEGIN line), or one run of base64 of DER (what keys, certificates and .pfx files encode to) of 64 characters or more.</summary>
    public static bool LooksLikeKeyMaterial(string value)
    {
        if (value.Contains("-----BEGIN", StringComparison.Ordinal) || value.Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            return true;
        }

        // Whitespace and the literal \n escapes of environment variables do not count; DER starts with a SEQUENCE
        // (0x30 and a long-form length), which base64 writes as "MI".
        var compact = value.Replace("\\n", string.Empty, StringComparison.Ordinal).Replace("\\r", string.Empty, StringComparison.Ordinal)
            .Where(c => !char.IsWhiteSpace(c)).ToArray().AsSpan().Trim("\"'");
        return compact.Length >= 64 && compact.StartsWith("MI") && !compact.ContainsAnyExcept(Base64Characters);
    }

    private static bool IsScopeShaped(string part)
    {
        if (part.Contains("://", StringComparison.Ordinal))
        {
            return Uri.TryCreate(part, UriKind.Absolute, out _);
        }

        // A bare resource ID (GUID/.default) or a permission name (User.Read.All).
        return part.Length <= MaxPermissionLength && part.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '/');
    }

    private static int MaxLength(OptionKind kind) => kind switch
    {
        OptionKind.Path => MaxPathLength,
        OptionKind.Tenant or OptionKind.ClientId => MaxIdLength,
        OptionKind.Algorithm => MaxAlgorithmLength,
        OptionKind.Thumbprint => 512,
        _ => MaxUrlLength,
    };

    private static string Noun(OptionKind kind) => kind switch
    {
        OptionKind.Tenant => "a tenant ID or domain name",
        OptionKind.ClientId => "an application (client) ID",
        OptionKind.Scope => "a scope",
        OptionKind.Path => "a file path",
        OptionKind.Url => "an http(s) URL",
        OptionKind.Algorithm => "a signing algorithm's name",
        _ => "a thumbprint",
    };

    [GeneratedRegex("-----BEGIN [A-Z0-9 ]{1,40}-----")]
    private static partial Regex PemLabel();
}
