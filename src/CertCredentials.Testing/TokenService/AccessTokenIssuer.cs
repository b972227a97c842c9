using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CertCredentials.Testing.TokenService;

/// <summary>
/// Signs access tokens with the service's own RSA-2048 key (RS256, with a <c>kid</c>), shaped like Entra's v2.0 app
/// tokens. Thread-safe.
/// </summary>
internal sealed class AccessTokenIssuer
{
    /// <summary>Private claim holding the service's issuance sequence number (orders tokens against revocations).</summary>
    public const string SequenceClaim = "lts_seq";

    /// <summary>
    /// One signing key per process, shared by every service instance: generating an RSA-2048 key costs about 0.3 s on
    /// this kind of machine, and tests start many services. Tokens of one instance are still refused by another's
    /// validation parameters, whose issuer names that instance's port.
    /// </summary>
    private static readonly Lazy<RSA> SharedKey = new(() => RSA.Create(2048));

    private readonly RSA _rsa = SharedKey.Value;
    private readonly SigningCredentials _signingCredentials;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private long _sequence;

    public AccessTokenIssuer()
    {
        var keyId = Base64UrlEncoder.Encode(SHA256.HashData(_rsa.ExportRSAPublicKey()))[..27];
        _signingCredentials = new SigningCredentials(new RsaSecurityKey(_rsa) { KeyId = keyId }, SecurityAlgorithms.RsaSha256);
        var publicKey = new RsaSecurityKey(_rsa.ExportParameters(includePrivateParameters: false)) { KeyId = keyId };
        SigningKey = publicKey;
        JsonWebKey = JsonWebKeyConverter.ConvertFromRSASecurityKey(publicKey);
        JsonWebKey.Use = "sig";
        JsonWebKey.Alg = SecurityAlgorithms.RsaSha256;
    }

    /// <summary>The public signing key, with its key ID.</summary>
    public RsaSecurityKey SigningKey { get; }

    /// <summary>The public signing key as a JWK (for the JWKS document).</summary>
    public JsonWebKey JsonWebKey { get; }

    /// <summary>Takes the next issuance sequence number; revocations take one too, to order themselves.</summary>
    public long NextSequence() => Interlocked.Increment(ref _sequence);

    /// <summary>Issues an access token for an accepted grant (or a token made directly).</summary>
    /// <param name="grant">Who the token is for, and for which resource.</param>
    /// <param name="issuer">The <c>iss</c>.</param>
    /// <param name="issuedAt">The <c>iat</c> and <c>nbf</c> (whole seconds).</param>
    /// <param name="lifetime"><c>exp</c> - <c>iat</c>.</param>
    /// <param name="settings">Roles and further claims; null for none.</param>
    public string Issue(TokenGrant grant, string issuer, DateTimeOffset issuedAt, TimeSpan lifetime, AccessTokenSettings? settings)
    {
        var id = Base64UrlEncoder.Encode(Guid.NewGuid().ToByteArray());
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["appid"] = grant.Application.ClientId,
            ["azp"] = grant.Application.ClientId,
            ["azpacr"] = "2",
            ["appidacr"] = "2",
            ["tid"] = grant.Tenant,
            ["oid"] = grant.Application.ObjectId,
            ["sub"] = grant.Application.ObjectId,
            ["idtyp"] = "app",
            ["ver"] = "2.0",
            ["uti"] = id,
            ["jti"] = id,
        };
        if (grant.ClientCapableOfCae)
        {
            claims["xms_cc"] = new List<object> { "cp1" };
        }

        if (settings is not null)
        {
            if (settings.Roles.Count > 0)
            {
                claims["roles"] = settings.Roles.Cast<object>().ToList();
            }

            foreach (var claim in settings.Claims)
            {
                claims[claim.Key] = claim.Value;
            }
        }

        // Last, so that no setting can reorder a token against a revocation.
        claims[SequenceClaim] = NextSequence();
        var iat = DateTimeOffset.FromUnixTimeSeconds(issuedAt.ToUnixTimeSeconds()).UtcDateTime;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = grant.Resource,
            IssuedAt = iat,
            NotBefore = iat,
            Expires = iat + lifetime,
            Claims = claims,
            SigningCredentials = _signingCredentials,
            TokenType = "JWT",
        });
    }
}
