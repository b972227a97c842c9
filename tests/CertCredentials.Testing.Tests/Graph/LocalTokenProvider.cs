using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Kiota.Abstractions.Authentication;

namespace CertCredentials.Testing.Tests.Graph;

/// <summary>
/// The Graph SDK's token source in these tests: a client credentials request to the local token service with an
/// assertion of its own (these tests never use the CertCredentials library), declaring the <c>cp1</c> capability
/// and answering a CAE challenge's claims as a CAE-capable client does. It keeps its token until a challenge asks
/// for a new one, as a credential's cache does (so that a revocation reaches the API with the old token).
/// </summary>
/// <param name="requestToken">Requests a token with the given <c>claims</c> parameter and returns it.</param>
public sealed class LocalTokenProvider(Func<string, Task<string>> requestToken) : IAccessTokenProvider
{
    private const string Capability = """{"access_token":{"xms_cc":{"values":["cp1"]}}}""";
    private readonly List<string?> _claims = [];
    private readonly Lock _lock = new();
    private string? _token;

    public AllowedHostsValidator AllowedHostsValidator { get; } = new(["127.0.0.1"]);

    /// <summary>The claims each token was asked with (null: none beyond the capability), in order.</summary>
    public IReadOnlyList<string?> ClaimsAsked
    {
        get
        {
            lock (_lock)
            {
                return [.. _claims];
            }
        }
    }

    /// <summary>When set, returned instead of asking the token service.</summary>
    public string? FixedToken { get; set; }

    public async Task<string> GetAuthorizationTokenAsync(
        Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default)
    {
        if (FixedToken is not null)
        {
            return FixedToken;
        }

        string? challenge = null;
        if (additionalAuthenticationContext?.TryGetValue("claims", out var value) == true && value is string claims && claims.Length > 0)
        {
            challenge = Decode(claims);
        }

        lock (_lock)
        {
            if (challenge is null && _token is not null)
            {
                return _token;
            }

            _claims.Add(challenge);
        }

        var token = await requestToken(challenge is null ? Capability : Merge(challenge));
        lock (_lock)
        {
            _token = token;
        }

        return token;
    }

    /// <summary>The challenge carries base64 JSON; Kiota passes the header's value as it is.</summary>
    private static string Decode(string claims)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(claims));
        }
        catch (FormatException)
        {
            return claims;
        }
    }

    /// <summary>The challenge's claims with the capability added, as MSAL merges them.</summary>
    private static string Merge(string challenge)
    {
        var json = JsonNode.Parse(challenge)!.AsObject();
        var accessToken = json["access_token"]?.AsObject() ?? [];
        json["access_token"] = accessToken;
        accessToken["xms_cc"] = new JsonObject { ["values"] = new JsonArray("cp1") };
        return json.ToJsonString();
    }
}
