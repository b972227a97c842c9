using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace CertCredentials.Configuration;

/// <summary>
/// Binds a configuration section to the options, and turns the binder's refusal into a typed error that never echoes
/// the value. The binder's own message quotes it ("Failed to convert configuration value '…' at 'Section:MaxRetries'
/// to type 'System.Int32'"), and a passphrase or key pasted into the wrong field would then reach the host's
/// "Hosting failed to start" log.
/// </summary>
internal static partial class OptionsBinding
{
    private const int MaxEchoedLength = 32;

    public static void Bind(IConfiguration configuration, CertificateClientCredentialOptions options)
    {
        try
        {
            configuration.Bind(options);
        }
        catch (InvalidOperationException e)
        {
            // Not kept as the inner exception: its message holds the value.
            throw new CertificateCredentialException(CertificateCredentialFailure.InvalidOptions, Describe(e.Message, configuration));
        }
    }

    internal static string Describe(string binderMessage, IConfiguration configuration)
    {
        var match = ConversionFailure().Match(binderMessage);
        if (!match.Success)
        {
            // Other refusals (an abstract type to create, say) quote no value; anything that might is not repeated.
            return binderMessage.Contains("value '", StringComparison.Ordinal)
                ? "The configuration section cannot be bound to the certificate credential's options: a value has the wrong type."
                : $"The configuration section cannot be bound to the certificate credential's options: {binderMessage}";
        }

        var path = match.Groups["path"].Value;
        var key = configuration is IConfigurationSection section && path.StartsWith(section.Path + ":", StringComparison.OrdinalIgnoreCase)
            ? path[(section.Path.Length + 1)..]
            : path;
        var value = configuration[key] ?? string.Empty;
        return $"The configuration value at '{path}' ({Show(value)}) is not {Expected(match.Groups["type"].Value)}. Fix the value in your configuration (appsettings.json, or the environment variable {path.Replace(":", "__", StringComparison.Ordinal)}).";
    }

    /// <summary>
    /// Echoed (a typo to see) only when short and made of digits and the punctuation of numbers and durations, or of at
    /// most four letters and digits ("3x", "yes"); anything else is described.
    /// </summary>
    private static string Show(string value)
    {
        if ((value.Length is > 0 and <= MaxEchoedLength && value.All(c => char.IsAsciiDigit(c) || c is ':' or '.' or '-' or '+' or ' '))
            || (value.Length is > 0 and <= 4 && value.All(char.IsAsciiLetterOrDigit)))
        {
            return $"'{value}'";
        }

        // Describe words key material the same for every kind of option.
        return OptionText.LooksLikeKeyMaterial(value)
            ? OptionText.Describe(value, OptionKind.Algorithm)
            : $"{value.Length.ToString("N0", CultureInfo.InvariantCulture)} characters, not shown: was a passphrase or other secret pasted here?";
    }

    private static string Expected(string type) => type switch
    {
        "System.Int32" or "System.Int64" => "a whole number",
        "System.TimeSpan" => "a duration such as 00:00:30",
        "System.Boolean" => "true or false",
        "System.Uri" => "an absolute URL",
        _ when type.StartsWith("CertCredentials.", StringComparison.Ordinal) => $"one of the names of {type["CertCredentials.".Length..]}",
        _ => $"a {type[(type.LastIndexOf('.') + 1)..]}",
    };

    [GeneratedRegex(@"at '(?<path>[^']+)' to type '(?<type>[^']+)'\.?\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex ConversionFailure();
}
