using System.Text.Json;
using CertCredentials.Assertion;
using CertCredentials.Configuration;
using CertCredentials.Keys;
using CertCredentials.Lifecycle;
using CertCredentials.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace CertCredentials.Tests.Assertion;

/// <summary>The assertion factory on its own: the exact header and payload bytes, x5c only when asked and known, times from the clock.</summary>
public sealed class ClientAssertionFactoryTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));

    private static JsonElement Part(string jwt, int index) =>
        JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(jwt.Split('.')[index])).RootElement;

    private (ClientAssertionFactory Factory, IdentityHolder Key) Create(Action<CertificateClientCredentialOptions>? change = null)
    {
        var options = TestOptions.Rsa2048(change);
        var settings = CredentialSettings.From(options);
        var identity = SigningIdentity.ForLocalKey(new ClientCertificate(KeyMaterialLoader.Load(options)), new IdentitySettings(settings.SigningAlgorithm, settings.RequestTimeout, _time));
        var holder = new IdentityHolder(identity);
        return (new ClientAssertionFactory(holder, settings, _time), holder);
    }

    [Fact]
    public void The_header_is_exactly_alg_typ_and_the_thumbprint()
    {
        var (factory, key) = Create();
        using (key)
        {
            var header = Part(factory.Create(), 0);
            header.EnumerateObject().Select(p => $"{p.Name}={p.Value}").Should().Equal(
                "alg=RS256", "typ=JWT", "x5t#S256=" + Fixture.Thumbprints("rsa2048.thumbprints.txt")["sha256_b64url"]);
        }
    }

    [Fact]
    public void The_payload_is_exactly_aud_iss_sub_jti_nbf_iat_exp()
    {
        var (factory, key) = Create();
        using (key)
        {
            var payload = Part(factory.Create(), 1);
            payload.EnumerateObject().Select(p => p.Name).Should().Equal("aud", "iss", "sub", "jti", "nbf", "iat", "exp");
            var now = _time.GetUtcNow().ToUnixTimeSeconds();
            payload.GetProperty("aud").GetString().Should().Be(factory.Audience).And.Be($"https://login.microsoftonline.com/{TestOptions.TenantId}/oauth2/v2.0/token");
            payload.GetProperty("iss").GetString().Should().Be(TestOptions.ClientId);
            payload.GetProperty("sub").GetString().Should().Be(TestOptions.ClientId);
            payload.GetProperty("nbf").GetInt64().Should().Be(now);
            payload.GetProperty("iat").GetInt64().Should().Be(now);
            payload.GetProperty("exp").GetInt64().Should().Be(now + 600);
            ClientAssertionFactory.Lifetime.Should().Be(TimeSpan.FromMinutes(10));
        }
    }

    [Fact]
    public void Times_follow_the_clock_and_every_assertion_has_a_new_jti()
    {
        var (factory, key) = Create();
        using (key)
        {
            var first = Part(factory.Create(), 1);
            _time.Advance(TimeSpan.FromSeconds(90));
            var second = Part(factory.Create(), 1);
            second.GetProperty("iat").GetInt64().Should().Be(first.GetProperty("iat").GetInt64() + 90);
            second.GetProperty("jti").GetString().Should().NotBe(first.GetProperty("jti").GetString());
        }
    }

    [Fact]
    public void The_chain_is_not_sent_when_asked_but_no_certificate_is_known()
    {
        var sha1 = Fixture.Thumbprints("rsa2048.thumbprints.txt")["sha1_hex"];
        var (factory, key) = Create(o => { o.CertificatePath = null; o.CertificateThumbprint = sha1; o.SendCertificateChain = true; });
        using (key)
        {
            Part(factory.Create(), 0).EnumerateObject().Select(p => p.Name).Should().Equal("alg", "typ", "x5t");
        }
    }

    [Fact]
    public void The_chain_of_a_lone_certificate_is_that_certificate_in_standard_base64()
    {
        var (factory, key) = Create(o => o.SendCertificateChain = true);
        using (key)
        {
            var x5c = Part(factory.Create(), 0).GetProperty("x5c");
            x5c.EnumerateArray().Select(e => e.GetString()).Should().Equal(Convert.ToBase64String(Fixture.Bytes("rsa2048.crt.der")));
        }
    }

    [Fact]
    public void Ps256_is_named_in_the_header()
    {
        var (factory, key) = Create(o => o.SigningAlgorithm = "ps256");
        using (key)
        {
            Part(factory.Create(), 0).GetProperty("alg").GetString().Should().Be("PS256");
        }
    }
}
