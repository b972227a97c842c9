using Microsoft.IdentityModel.JsonWebTokens;

namespace CertCredentials.StackExchangeRedis.Tests.Infrastructure;

/// <summary>What an access token says about itself (the local service issues JWTs).</summary>
internal static class Tokens
{
    public static (string Tenant, string ClientId, DateTimeOffset Expires) Read(string accessToken)
    {
        var jwt = new JsonWebToken(accessToken);
        return (jwt.GetClaim("tid").Value, jwt.GetClaim("appid").Value, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero));
    }
}
