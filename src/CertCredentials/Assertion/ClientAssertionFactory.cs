using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using CertCredentials.Configuration;
using CertCredentials.Lifecycle;

namespace CertCredentials.Assertion;

/// <summary>
/// Builds and signs the client assertion: a JWT with <c>aud</c> = the token endpoint URL, <c>iss</c> = <c>sub</c> =
/// the client ID, a fresh <c>jti</c>, numeric <c>nbf</c>/<c>iat</c>/<c>exp</c>, and the certificate thumbprint in the
/// header. A new one for every token request: strict servers refuse a replayed <c>jti</c>.
/// </summary>
/// <remarks>
/// Each assertion leases the credential's current signing identity once and is signed wholly with it: its header
/// (thumbprint, chain) and its key, local or a signer's. The header and payload are written here, and the signature
/// comes straight from the RSA key or the signer over the ASCII signing input: one path for local keys and remote
/// signers alike (IdentityModel's signing is synchronous and takes keys only, and its provider cache, keyed by public
/// key, would hand a later credential the disposed RSA object of an earlier one).
/// </remarks>
internal sealed class ClientAssertionFactory
{
    /// <summary>Ten minutes, as MSAL: the longest Microsoft allows.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly IdentityHolder _identities;
    private readonly string _algorithm;
    private readonly bool _sendCertificateChain;
    private readonly string _clientId;
    private readonly string _audience;
    private readonly TimeProvider _timeProvider;
    private EncodedHeader? _header;

    public ClientAssertionFactory(IdentityHolder identities, CredentialSettings settings, TimeProvider timeProvider)
    {
        _identities = identities;
        _algorithm = settings.SigningAlgorithm == SigningAlgorithms.PS256 ? SigningAlgorithms.PS256 : SigningAlgorithms.RS256;
        _sendCertificateChain = settings.SendCertificateChain;
        _clientId = settings.ClientId;
        _audience = settings.TokenEndpoint.AbsoluteUri;
        _timeProvider = timeProvider;
    }

    public string Audience => _audience;

    /// <summary>
    /// A signed assertion, synchronously: a local key signs on this thread; a signer's signature is awaited on the
    /// thread pool (so a single-threaded synchronization context cannot deadlock it), blocking only this caller.
    /// </summary>
    public string Create()
    {
        using var lease = _identities.Lease();
        var identity = lease.Identity;
        var signingInput = SigningInput(identity);
        var bytes = Encoding.ASCII.GetBytes(signingInput);
        var signature = identity.IsRemote
            ? Task.Run(() => identity.SignAsync(bytes, CancellationToken.None).AsTask()).GetAwaiter().GetResult()
            : identity.SignLocally(bytes);
        return string.Concat(signingInput, ".", Base64Url.EncodeToString(signature));
    }

    /// <summary>A signed assertion, with the thumbprint of the certificate it names (for messages and for a refusal).</summary>
    public async ValueTask<ClientAssertion> CreateAsync(CancellationToken cancellationToken)
    {
        using var lease = _identities.Lease();
        var identity = lease.Identity;
        var signingInput = SigningInput(identity);
        var signature = await identity.SignAsync(Encoding.ASCII.GetBytes(signingInput), cancellationToken).ConfigureAwait(false);
        return new ClientAssertion(string.Concat(signingInput, ".", Base64Url.EncodeToString(signature)), identity.Thumbprint);
    }

    private string SigningInput(SigningIdentity identity)
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

        return string.Concat(HeaderOf(identity), ".", payload);
    }

    /// <summary>The header of an identity, encoded once per identity (a rotation makes one new header per tenant).</summary>
    private string HeaderOf(SigningIdentity identity)
    {
        var cached = Volatile.Read(ref _header);
        if (cached is not null && ReferenceEquals(cached.Identity, identity))
        {
            return cached.Text;
        }

        // No kid: Entra finds the key by thumbprint.
        var text = Encode(writer =>
        {
            writer.WriteString("alg", _algorithm);
            writer.WriteString("typ", "JWT");
            writer.WriteString(identity.Thumbprint.HeaderParameter, identity.Thumbprint.Base64Url);
            if (_sendCertificateChain && identity.Chain.Count > 0)
            {
                // RFC 7515: a JSON array of base64 (not base64url) DER certificates, leaf first.
                writer.WriteStartArray("x5c");
                foreach (var certificate in identity.Chain)
                {
                    writer.WriteStringValue(Convert.ToBase64String(certificate.RawData));
                }

                writer.WriteEndArray();
            }
        });
        Volatile.Write(ref _header, new EncodedHeader(identity, text));
        return text;
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

    /// <summary>An identity's encoded header; the identity reference is what it is checked by.</summary>
    private sealed record EncodedHeader(SigningIdentity Identity, string Text);
}
