using System.Buffers.Text;
using System.Text.Json;

namespace CertCredentials.Tool.Configuration;

/// <summary>
/// The non-secret claims of an access token, read from its payload without verifying it (the resource does that):
/// enough to see which tenant, application and roles a token is for, and when it expires. The token is never kept.
/// </summary>
internal sealed record TokenClaims(string? Audience, string? Issuer, string? TenantId, string? AppId, IReadOnlyList<string> Roles, DateTimeOffset? ExpiresOn)
{
    /// <summary>The claims, or null when the token is not a JWT (some resources get opaque tokens).</summary>
    public static TokenClaims? Read(string accessToken)
    {
        var parts = accessToken.Split('.');
        if (parts.Length != 3 || !Base64Url.IsValid(parts[1]))
        {
            return null;
        }

        try
        {
            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            var root = payload.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            return new TokenClaims(
                ReadAudience(root),
                Text(root, "iss"),
                Text(root, "tid"),
                Text(root, "appid") ?? Text(root, "azp"),
                root.TryGetProperty("roles", out var roles) && roles.ValueKind == JsonValueKind.Array
                    ? [.. roles.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.String).Select(r => r.GetString()!)]
                    : [],
                root.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? ReadAudience(JsonElement root) =>
        root.TryGetProperty("aud", out var aud) && aud.ValueKind == JsonValueKind.Array
            ? string.Join(", ", aud.EnumerateArray().Select(a => a.GetString()))
            : Text(root, "aud");
}
