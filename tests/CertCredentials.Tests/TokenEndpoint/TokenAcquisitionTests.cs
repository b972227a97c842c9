using CertCredentials.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;

namespace CertCredentials.Tests.TokenEndpoint;

/// <summary>Tokens from the local Entra-compatible service, through the public API, for every key and thumbprint form.</summary>
public sealed class TokenAcquisitionTests : IAsyncLifetime
{
    private const string P = Fixture.Passphrase;
    private LocalEntra _entra = null!;

    public async Task InitializeAsync() => _entra = await LocalEntra.StartAsync();

    public async Task DisposeAsync() => await _entra.DisposeAsync();

    public static TheoryData<string, string?, string?> KeyForms => new()
    {
        // file, passphrase, certificate file (null when the key file holds it)
        { "rsa2048.pkcs8.pem", null, "rsa2048.crt.pem" },
        { "rsa2048.pkcs1.pem", null, "rsa2048.crt.pem" },
        { "rsa2048.pkcs8.aes256-sha256.pem", P, "rsa2048.crt.pem" },
        { "rsa2048.pkcs8.pbe-sha1-3des.pem", P, "rsa2048.crt.pem" },
        { "rsa2048.legacy.aes256.pem", P, "rsa2048.crt.pem" },
        { "rsa2048.legacy.des3.pem", P, "rsa2048.crt.pem" },
        { "rsa2048.pfx-nocerts.pem", P, "rsa2048.crt.pem" },
        { "rsa2048.pfx", P, null },
        { "rsa2048.legacy.pfx", P, null },
        { "rsa2048.nopass.pfx", null, null },
        { "rsa2048.bundle.key-then-cert.pem", null, null },
        { "rsa2048.pkcs8.escaped.txt", null, "rsa2048.crt.pem" },
        { "chain.bundle.leaf-middle.pem", null, null },
        { "rsa4096.key.pem", null, "rsa4096.crt.pem" },
    };

    [Theory]
    [MemberData(nameof(KeyForms))]
    public async Task Gets_a_token_with_each_key_form(string file, string? passphrase, string? certificate)
    {
        var credential = _entra.Credential(o =>
        {
            o.PrivateKeyPath = Fixture.Path(file);
            o.PrivateKeyPassphrase = passphrase;
            o.CertificatePath = certificate is null ? null : Fixture.Path(certificate);
        });

        var token = await credential.GetTokenAsync();

        var jwt = new JsonWebToken(token.Token);
        jwt.GetClaim("appid").Value.Should().Be(TestOptions.ClientId);
        jwt.Audiences.Should().Contain(LocalEntra.Resource);
        token.ExpiresOn.Should().BeAfter(DateTimeOffset.UtcNow.AddMinutes(50));
        _entra.Service.Requests.Should().ContainSingle().Which.StatusCode.Should().Be(200);
    }

    [Fact]
    public async Task Gets_a_token_with_key_text_pasted_into_the_option()
    {
        var credential = _entra.Credential(o =>
        {
            o.PrivateKeyPath = null;
            o.CertificatePath = null;
            o.PrivateKey = Fixture.Text("rsa2048.pfx.b64.txt");
            o.PrivateKeyPassphrase = P;
        });
        (await credential.GetTokenAsync()).Token.Should().NotBeNullOrEmpty();
    }

    [Theory]
    [InlineData("sha1_hex", "x5t")]
    [InlineData("sha1_colons", "x5t")]
    [InlineData("sha1_b64url", "x5t")]
    [InlineData("sha1_b64", "x5t")]
    [InlineData("sha256_hex", "x5t#S256")]
    [InlineData("sha256_colons", "x5t#S256")]
    [InlineData("sha256_b64url", "x5t#S256")]
    [InlineData("sha256_b64", "x5t#S256")]
    public async Task Gets_a_token_with_each_thumbprint_form(string form, string header)
    {
        var credential = _entra.Credential(o =>
        {
            o.CertificatePath = null;
            o.CertificateThumbprint = Fixture.Thumbprints("rsa2048.thumbprints.txt")[form];
        });

        (await credential.GetTokenAsync()).Token.Should().NotBeNullOrEmpty();
        _entra.Service.Requests.Single().Assertion!.TryGetHeaderValue<string>(header, out _).Should().BeTrue();
    }

    [Theory]
    [InlineData("RS256")]
    [InlineData("PS256")]
    public async Task Gets_a_token_with_each_signing_algorithm(string algorithm)
    {
        var credential = _entra.Credential(o => o.SigningAlgorithm = algorithm);
        (await credential.GetTokenAsync()).Token.Should().NotBeNullOrEmpty();
        _entra.Service.Requests.Single().Assertion!.Alg.Should().Be(algorithm);
    }

    [Fact]
    public async Task Sends_the_form_and_correlation_headers_of_the_protocol()
    {
        var credential = _entra.Credential();
        await credential.GetTokenAsync();

        var request = _entra.Service.Requests.Single();
        request.Form["grant_type"].Should().Be("client_credentials");
        request.Form["client_id"].Should().Be(TestOptions.ClientId);
        request.Form["scope"].Should().Be(TestOptions.Scope);
        request.Form["client_assertion_type"].Should().Be("urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
        request.Form.Should().NotContainKey("claims");
        Guid.TryParse(request.Headers["client-request-id"], out _).Should().BeTrue();
        request.Headers["return-client-request-id"].Should().Be("true");
        request.Assertion!.Audiences.Should().Equal(_entra.TokenEndpoint.AbsoluteUri);
    }

    [Fact]
    public async Task Sends_the_chain_as_x5c_when_asked()
    {
        var credential = _entra.Credential(o => { o.PrivateKeyPath = Fixture.Path("chain.leaf.pfx"); o.PrivateKeyPassphrase = P; o.CertificatePath = null; o.SendCertificateChain = true; });
        await credential.GetTokenAsync();
        _entra.Service.Requests.Single().Assertion!.TryGetHeaderValue<object>("x5c", out _).Should().BeTrue();
    }

    [Fact]
    public async Task Declares_the_cae_capability_when_enabled()
    {
        var credential = _entra.Credential(o => o.EnableContinuousAccessEvaluation = true);
        var token = await credential.GetTokenAsync();
        _entra.Service.Requests.Single().Form["claims"].Should().Contain("cp1");
        new JsonWebToken(token.Token).TryGetPayloadValue<object>("xms_cc", out _).Should().BeTrue();
    }

    [Fact]
    public async Task Answers_a_claims_challenge_bypassing_the_cache()
    {
        var credential = _entra.Credential(o => o.EnableContinuousAccessEvaluation = true);
        var first = await credential.GetTokenAsync();
        var challenge = "{\"access_token\":{\"nbf\":{\"essential\":true,\"value\":\"" + DateTimeOffset.UtcNow.ToUnixTimeSeconds() + "\"}}}";

        var second = await credential.RefreshTokenAsync(challenge);

        second.Token.Should().NotBe(first.Token);
        var claims = _entra.Service.Requests[1].Form["claims"];
        claims.Should().Contain("cp1").And.Contain("\"nbf\"");
        (await credential.GetTokenAsync()).Token.Should().Be(second.Token, "the challenge's token replaces the cached one");
    }

    [Fact]
    public async Task Accepts_expires_in_sent_as_a_string()
    {
        await using var entra = await LocalEntra.StartAsync(configure: o => o.ExpiresInAsString = true);
        var token = await entra.Credential().GetTokenAsync();
        token.ExpiresOn.Should().BeAfter(DateTimeOffset.UtcNow.AddMinutes(50));
    }
}
