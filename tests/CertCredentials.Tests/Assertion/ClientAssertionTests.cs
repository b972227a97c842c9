using System.Security.Cryptography;
using System.Text.Json;
using CertCredentials.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.Extensions.Time.Testing;

namespace CertCredentials.Tests.Assertion;

/// <summary>The assertion is exactly what protocol.md says Entra expects, signed by the certificate's key.</summary>
public sealed class ClientAssertionTests
{
    private readonly FakeTimeProvider _time = new(TestClock.Start);

    private JsonWebToken Create(Action<CertificateClientCredentialOptions>? change = null)
    {
        using var credential = new CertificateClientCredential(TestOptions.Rsa2048(change), timeProvider: _time);
        return new JsonWebToken(credential.CreateClientAssertion());
    }

    [Fact]
    public void Rs256_assertion_has_the_header_and_claims_Entra_expects()
    {
        var jwt = Create();
        using var certificate = Fixture.Certificate("rsa2048.crt.pem");

        jwt.Alg.Should().Be("RS256");
        jwt.Typ.Should().Be("JWT");
        jwt.GetHeaderValue<string>("x5t#S256").Should().Be(Fixture.Thumbprints("rsa2048.thumbprints.txt")["sha256_b64url"]).And.HaveLength(43);
        jwt.TryGetHeaderValue<string>("kid", out _).Should().BeFalse();
        jwt.TryGetHeaderValue<object>("x5c", out _).Should().BeFalse();

        jwt.Audiences.Should().Equal($"https://login.microsoftonline.com/{TestOptions.TenantId}/oauth2/v2.0/token");
        jwt.Issuer.Should().Be(TestOptions.ClientId);
        jwt.Subject.Should().Be(TestOptions.ClientId);
        Guid.TryParse(jwt.Id, out _).Should().BeTrue();

        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var payload = JsonDocument.Parse(Base64UrlDecode(jwt.EncodedPayload)).RootElement;
        payload.GetProperty("nbf").ValueKind.Should().Be(JsonValueKind.Number);
        payload.GetProperty("iat").GetInt64().Should().Be(now);
        payload.GetProperty("nbf").GetInt64().Should().Be(now);
        payload.GetProperty("exp").GetInt64().Should().Be(now + 600, "assertions live 10 minutes at most");

        Verify(jwt, certificate, RSASignaturePadding.Pkcs1).Should().BeTrue();
    }

    [Fact]
    public void Ps256_assertion_is_signed_with_pss()
    {
        var jwt = Create(o => o.SigningAlgorithm = "PS256");
        using var certificate = Fixture.Certificate("rsa2048.crt.pem");
        jwt.Alg.Should().Be("PS256");
        Verify(jwt, certificate, RSASignaturePadding.Pss).Should().BeTrue();
        Verify(jwt, certificate, RSASignaturePadding.Pkcs1).Should().BeFalse();
    }

    [Fact]
    public void Every_assertion_is_new()
    {
        using var credential = new CertificateClientCredential(TestOptions.Rsa2048(), timeProvider: _time);
        var ids = Enumerable.Range(0, 20).Select(_ => new JsonWebToken(credential.CreateClientAssertion()).Id).ToList();
        ids.Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void Sha1_thumbprint_only_is_sent_as_x5t()
    {
        var sha1 = Fixture.Thumbprints("rsa2048.thumbprints.txt")["sha1_colons"];
        var jwt = Create(o => { o.CertificatePath = null; o.CertificateThumbprint = sha1; });
        jwt.GetHeaderValue<string>("x5t").Should().Be(Fixture.Thumbprints("rsa2048.thumbprints.txt")["sha1_b64url"]).And.HaveLength(27);
        jwt.TryGetHeaderValue<string>("x5t#S256", out _).Should().BeFalse();
    }

    [Fact]
    public void Sha256_thumbprint_only_is_sent_as_x5t_S256()
    {
        var sha256 = Fixture.Thumbprints("rsa2048.thumbprints.txt")["sha256_hex"];
        var jwt = Create(o => { o.CertificatePath = null; o.CertificateThumbprint = sha256; });
        jwt.GetHeaderValue<string>("x5t#S256").Should().Be(Fixture.Thumbprints("rsa2048.thumbprints.txt")["sha256_b64url"]);
    }

    [Fact]
    public void Chain_is_sent_as_x5c_array_leaf_first_on_request()
    {
        var jwt = Create(o => { o.PrivateKeyPath = Fixture.Path("chain.bundle.root-first.pem"); o.CertificatePath = null; o.SendCertificateChain = true; });
        var header = JsonDocument.Parse(Base64UrlDecode(jwt.EncodedHeader)).RootElement;
        var x5c = header.GetProperty("x5c");
        x5c.ValueKind.Should().Be(JsonValueKind.Array);
        x5c.GetArrayLength().Should().Be(3);
        using var leaf = Fixture.Certificate("chain.leaf.crt.pem");
        Convert.FromBase64String(x5c[0].GetString()!).Should().Equal(leaf.RawData);
    }

    [Fact]
    public void Explicit_token_endpoint_is_the_audience_exactly()
    {
        var jwt = Create(o => o.TokenEndpoint = new Uri("http://127.0.0.1:5050/my-tenant/oauth2/v2.0/token"));
        jwt.Audiences.Should().Equal("http://127.0.0.1:5050/my-tenant/oauth2/v2.0/token");
    }

    [Theory]
    [InlineData("https://login.microsoftonline.us", "https://login.microsoftonline.us/{0}/oauth2/v2.0/token")]
    [InlineData("https://login.partner.microsoftonline.cn", "https://login.partner.microsoftonline.cn/{0}/oauth2/v2.0/token")]
    [InlineData("https://login.microsoftonline.com/", "https://login.microsoftonline.com/{0}/oauth2/v2.0/token")]
    public void Authority_host_gives_the_cloud_s_token_endpoint(string host, string expected)
    {
        var jwt = Create(o => o.AuthorityHost = new Uri(host));
        jwt.Audiences.Should().Equal(string.Format(System.Globalization.CultureInfo.InvariantCulture, expected, TestOptions.TenantId));
    }

    [Fact]
    public void External_id_host_defaults_the_tenant_to_the_subdomain()
    {
        using var credential = new CertificateClientCredential(TestOptions.Rsa2048(o => { o.TenantId = ""; o.AuthorityHost = AuthorityHosts.ExternalId("contosoid"); }), timeProvider: _time);
        credential.TokenEndpoint.Should().Be(new Uri("https://contosoid.ciamlogin.com/contosoid.onmicrosoft.com/oauth2/v2.0/token"));
        credential.TenantId.Should().Be("contosoid.onmicrosoft.com");
    }

    [Fact]
    public void Authority_host_constants_name_the_clouds()
    {
        AuthorityHosts.AzurePublicCloud.Should().Be(new Uri("https://login.microsoftonline.com"));
        AuthorityHosts.AzureGovernment.Should().Be(new Uri("https://login.microsoftonline.us"));
        AuthorityHosts.AzureChina.Should().Be(new Uri("https://login.partner.microsoftonline.cn"));
    }

    private static bool Verify(JsonWebToken jwt, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, RSASignaturePadding padding)
    {
        using var publicKey = certificate.GetRSAPublicKey()!;
        var signed = System.Text.Encoding.ASCII.GetBytes(jwt.EncodedHeader + "." + jwt.EncodedPayload);
        return publicKey.VerifyData(signed, Base64UrlDecode(jwt.EncodedSignature), HashAlgorithmName.SHA256, padding);
    }

    private static byte[] Base64UrlDecode(string text) => System.Buffers.Text.Base64Url.DecodeFromChars(text);
}
