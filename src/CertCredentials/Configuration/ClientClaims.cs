using System.Text.Json.Nodes;

namespace CertCredentials.Configuration;

/// <summary>The <c>claims</c> request parameter: client capabilities (CAE) merged with a resource's claims challenge.</summary>
internal static class ClientClaims
{
    /// <summary>Declares the <c>cp1</c> capability: "this client handles CAE claims challenges".</summary>
    public const string ContinuousAccessEvaluation = "{\"access_token\":{\"xms_cc\":{\"values\":[\"cp1\"]}}}";

    /// <summary>
    /// Merges a claims challenge (JSON) into the client's capability claims, as MSAL does; either may be null.
    /// A challenge that is not a JSON object is refused: sending it would only earn an opaque AADSTS error.
    /// </summary>
    public static string? Merge(string? capabilities, string? challenge)
    {
        if (string.IsNullOrWhiteSpace(challenge))
        {
            return capabilities;
        }

        JsonObject challengeObject;
        try
        {
            challengeObject = JsonNode.Parse(challenge) as JsonObject
                ?? throw new CertificateCredentialException(CertificateCredentialFailure.InvalidOptions, "The claims challenge is not a JSON object.");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new CertificateCredentialException(CertificateCredentialFailure.InvalidOptions,
                "The claims challenge is not valid JSON. Pass the decoded value of the WWW-Authenticate claims parameter.", e);
        }

        if (capabilities is null)
        {
            return challengeObject.ToJsonString();
        }

        var merged = (JsonObject)JsonNode.Parse(capabilities)!;
        foreach (var (name, value) in challengeObject.ToArray())
        {
            if (merged[name] is JsonObject target && value is JsonObject source)
            {
                foreach (var (innerName, innerValue) in source.ToArray())
                {
                    source.Remove(innerName);
                    target[innerName] = innerValue;
                }
            }
            else
            {
                challengeObject.Remove(name);
                merged[name] = value;
            }
        }

        return merged.ToJsonString();
    }
}
