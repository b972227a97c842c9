using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CertCredentials.Testing.Tests.Infrastructure;

/// <summary>Builds client assertions as a client of Entra does, and broken ones.</summary>
public static class AssertionFactory
{
    public static string Thumbprint256(X509Certificate2 certificate) =>
        Base64UrlEncoder.Encode(SHA256.HashData(certificate.RawData));

#pragma warning disable CA5350 // The legacy x5t header is a SHA-1 thumbprint: it identifies, it does not protect.
    public static string Thumbprint1(X509Certificate2 certificate) =>
        Base64UrlEncoder.Encode(SHA1.HashData(certificate.RawData));
#pragma warning restore CA5350

    /// <summary>A well-formed assertion signed with Microsoft.IdentityModel.JsonWebTokens.</summary>
    public static string Create(
        X509Certificate2 certificate,
        string clientId,
        Uri audience,
        DateTimeOffset now,
        string algorithm = SecurityAlgorithms.RsaSha256,
        bool legacyThumbprint = false,
        object? x5c = null)
    {
        using var rsa = certificate.GetRSAPrivateKey()!;
        var header = new Dictionary<string, object>();
        if (!legacyThumbprint)
        {
            header["x5t#S256"] = Thumbprint256(certificate);
        }

        if (x5c is not null)
        {
            header["x5c"] = x5c;
        }

        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        return handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = clientId,
            Audience = audience.AbsoluteUri,
            Claims = new Dictionary<string, object> { ["sub"] = clientId, ["jti"] = Guid.NewGuid().ToString() },
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.AddMinutes(10).UtcDateTime,
            AdditionalHeaderClaims = header,
            // Legacy: X509SigningCredentials writes x5t (base64url SHA-1) and kid (hex SHA-1), as older MSAL did.
            SigningCredentials = legacyThumbprint
                ? new X509SigningCredentials(certificate, algorithm)
                : new SigningCredentials(new RsaSecurityKey(rsa.ExportParameters(true)), algorithm),
            TokenType = "JWT",
        });
    }

    /// <summary>A standard header and payload for <see cref="Sign"/>, to be edited by a test.</summary>
    public static (JsonObject Header, JsonObject Payload) Parts(
        X509Certificate2 certificate, string clientId, Uri audience, DateTimeOffset now, string algorithm = "RS256")
    {
        var header = new JsonObject { ["alg"] = algorithm, ["typ"] = "JWT", ["x5t#S256"] = Thumbprint256(certificate) };
        var payload = new JsonObject
        {
            ["aud"] = audience.AbsoluteUri,
            ["iss"] = clientId,
            ["sub"] = clientId,
            ["jti"] = Guid.NewGuid().ToString(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddMinutes(10).ToUnixTimeSeconds(),
        };
        return (header, payload);
    }

    /// <summary>Signs a header and payload by hand (RS256 or PS256 per <paramref name="pss"/>) with the key given.</summary>
    public static string Sign(JsonObject header, JsonObject payload, RSA key, bool pss = false)
    {
        var signingInput = Base64UrlEncoder.Encode(header.ToJsonString()) + "." + Base64UrlEncoder.Encode(payload.ToJsonString());
        var signature = key.SignData(
            Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, pss ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64UrlEncoder.Encode(signature);
    }
}
