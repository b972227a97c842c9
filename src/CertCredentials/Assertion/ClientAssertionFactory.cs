using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using CertCredentials.Configuration;
using CertCredentials.Keys;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CertCredentials.Assertion;

/// <summary>
/// Builds and signs the client assertion: a JWT with <c>aud</c> = the token endpoint URL, <c>iss</c> = <c>sub</c> =
/// the client ID, a fresh <c>jti</c>, numeric <c>nbf</c>/<c>iat</c>/<c>exp</c>, and the certificate thumbprint in the
/// header. A new one for every token request: strict servers refuse a replayed <c>jti</c>.
/// </summary>
/// <remarks>
/// The header and payload are written here rather than through <c>SecurityTokenDescriptor</c>: IdentityModel refuses
/// an explicit <c>x5t</c> (needed when only a SHA-1 thumbprint is known) and adds it only for X509 keys. The signature
/// comes from IdentityModel, without its process-wide provider cache, which is keyed by public key and would hand a
/// later credential the disposed RSA object of an earlier one with the same key.
/// </remarks>
internal sealed class ClientAssertionFactory
{
    /// <summary>Ten minutes, as MSAL: the longest Microsoft allows.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly SigningCredentials _signingCredentials;
    private readonly string _encodedHeader;
    private readonly string _clientId;
    private readonly string _audience;
    private readonly TimeProvider _timeProvider;

    public ClientAssertionFactory(KeyMaterial key, CredentialSettings settings, TimeProvider timeProvider)
    {
        _clientId = settings.ClientId;
        _audience = settings.TokenEndpoint.AbsoluteUri;
        _timeProvider = timeProvider;

        var algorithm = settings.SigningAlgorithm == SigningAlgorithms.PS256 ? SecurityAlgorithms.RsaSsaPssSha256 : SecurityAlgorithms.RsaSha256;
        _signingCredentials = new SigningCredentials(new RsaSecurityKey(key.PrivateKey), algorithm);

        // No kid: Entra finds the key by thumbprint.
        _encodedHeader = Encode(writer =>
        {
            writer.WriteString("alg", algorithm);
            writer.WriteString("typ", "JWT");
            writer.WriteString(key.Thumbprint.HeaderParameter, key.Thumbprint.Base64Url);
            if (settings.SendCertificateChain && key.Chain.Count > 0)
            {
                // RFC 7515: a JSON array of base64 (not base64url) DER certificates, leaf first.
                writer.WriteStartArray("x5c");
                foreach (var certificate in key.Chain)
                {
                    writer.WriteStringValue(Convert.ToBase64String(certificate.RawData));
                }

                writer.WriteEndArray();
            }
        });
    }

    public string Audience => _audience;

    public string Create()
    {
        var now = _timeProvider.GetUtcNow().ToUnixTimeSeconds();
        var payload = Encode(writer =>
        {
            writer.WriteString("aud", _audience);
            writer.WriteString("iss", _clientId);
            writer.WriteString("sub", _clientId);
            writer.WriteString("jti", Guid.NewGuid().ToString());
            writer.WriteNumber("nbf", now);
            writer.WriteNumber("iat", now);
            writer.WriteNumber("exp", now + (long)Lifetime.TotalSeconds);
        });

        var signingInput = string.Concat(_encodedHeader, ".", payload);
        return string.Concat(signingInput, ".", JwtTokenUtilities.CreateEncodedSignature(signingInput, _signingCredentials, cacheProvider: false));
    }

    private static string Encode(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return Base64Url.EncodeToString(buffer.WrittenSpan);
    }
}
