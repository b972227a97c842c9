using System.Globalization;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace CertCredentials.Testing.Graph;

/// <summary>
/// The OData query options a <see cref="LocalGraphApi"/> understands: <c>$select</c>, <c>$top</c> and the
/// <c>$skiptoken</c> of its own next links (the <c>$</c> is optional, as in Graph v1.0). Others are refused by name
/// rather than ignored, so that a test never passes on results the API did not filter.
/// </summary>
internal sealed record GraphQuery(IReadOnlyList<string>? Select, int? Top, int Skip)
{
    public const int MaxTop = 999;
    private static readonly string[] Unsupported = ["filter", "search", "orderby", "expand", "count", "skip", "format", "apply"];

    /// <summary>Reads the query; returns null and a refusal when an option is invalid or not implemented.</summary>
    public static GraphQuery? Parse(IQueryCollection query, out GraphRefusal? refusal)
    {
        refusal = null;
        string[]? select = null;
        int? top = null;
        var skip = 0;
        foreach (var (rawName, value) in query)
        {
            var name = rawName.StartsWith('$') ? rawName[1..] : rawName;
            switch (name.ToLowerInvariant())
            {
                case "select":
                    select = [.. value.ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
                    break;
                case "top":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var t) || t < 1 || t > MaxTop)
                    {
                        refusal = GraphRefusal.BadRequest("Request_UnsupportedQuery",
                            $"Invalid page size specified: '{value}'. Must be between 1 and {MaxTop} inclusive.");
                        return null;
                    }

                    top = t;
                    break;
                case "skiptoken":
                    if (!TryReadSkipToken(value.ToString(), out skip))
                    {
                        refusal = GraphRefusal.BadRequest("Directory_InvalidSkipToken", "The specified page token value has expired or is invalid.");
                        return null;
                    }

                    break;
                default:
                    if (Array.IndexOf(Unsupported, name.ToLowerInvariant()) >= 0)
                    {
                        refusal = GraphRefusal.BadRequest("Request_UnsupportedQuery",
                            $"The query option '${name}' is not implemented by this local Graph-shaped API (only $select and $top are).");
                        return null;
                    }

                    break;
            }
        }

        return new GraphQuery(select, top, skip);
    }

    /// <summary>The opaque token of a next link that starts at <paramref name="skip"/>.</summary>
    public static string SkipToken(int skip) =>
        Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"skip:{skip}")));

    private static bool TryReadSkipToken(string token, out int skip)
    {
        skip = 0;
        try
        {
            var text = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(token));
            return text.StartsWith("skip:", StringComparison.Ordinal)
                && int.TryParse(text.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out skip);
        }
        catch (FormatException)
        {
            return false;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
