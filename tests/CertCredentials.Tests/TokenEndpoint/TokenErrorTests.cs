using CertCredentials.Testing;
using CertCredentials.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace CertCredentials.Tests.TokenEndpoint;

/// <summary>Every refusal of the token endpoint arrives as a typed exception that leads with the AADSTS code and the fix.</summary>
public sealed class TokenErrorTests : IAsyncLifetime
{
    private LocalEntra _entra = null!;

    public async Task InitializeAsync() => _entra = await LocalEntra.StartAsync();

    public async Task DisposeAsync() => await _entra.DisposeAsync();

    private async Task<TokenEndpointException> Fails(CertificateClientCredential credential, CertificateCredentialFailure failure)
    {
        var thrown = await FluentActions.Awaiting(() => credential.GetTokenAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60)))
            .Should().ThrowAsync<TokenEndpointException>();
        var e = thrown.Which;
        e.Failure.Should().Be(failure, e.Message);

        // Nothing secret: not the key, not any assertion sent, not any token issued.
        var secrets = _entra.Service.Requests.SelectMany(r => r.Form.TryGetValue("client_assertion", out var a) ? new[] { a } : []).ToList();
        secrets.Add(Fixture.Text("rsa2048.pkcs8.pem"));
        secrets.Add(Fixture.Text("other.key.pem"));
        SecretScan.AssertClean(e, [.. secrets]);
        return e;
    }

    [Fact]
    public async Task Unregistered_certificate_is_AADSTS700027_with_the_fix()
    {
        var credential = _entra.Credential(o => { o.PrivateKeyPath = Fixture.Path("other.key.pem"); o.CertificatePath = Fixture.Path("other.crt.pem"); });
        var e = await Fails(credential, CertificateCredentialFailure.TokenRequestRejected);

        e.Message.Should().StartWith("AADSTS700027:").And.Contain("not uploaded under Certificates & secrets").And.Contain(TestOptions.ClientId)
            .And.Contain(CertificateThumbprint.ComputeFromPem(Fixture.Text("other.crt.pem")).Base64Url);
        e.StatusCode.Should().Be(401);
        e.Error.Should().Be("invalid_client");
        e.ErrorCodes.Should().Equal(700027);
        e.IsRetryable.Should().BeFalse();
        e.CorrelationId.Should().Be(_entra.Service.Requests.Single().Headers["client-request-id"]);
        e.TraceId.Should().NotBeNullOrEmpty();
        e.Message.Should().Contain(e.CorrelationId!);
        _entra.Service.TokenRequestCount.Should().Be(1, "refusals are not retried");
    }

    [Fact]
    public async Task Unknown_application_is_AADSTS700016()
    {
        var credential = _entra.Credential(o => o.ClientId = "99999999-9999-9999-9999-999999999999");
        var e = await Fails(credential, CertificateCredentialFailure.TokenRequestRejected);
        e.Message.Should().StartWith("AADSTS700016:").And.Contain("was not found in tenant");
    }

    [Fact]
    public async Task Unknown_tenant_is_AADSTS90002_naming_the_clouds()
    {
        var credential = _entra.Credential(o => o.TokenEndpoint = _entra.Service.GetTokenEndpoint("00000000-0000-0000-0000-000000000000"));
        var e = await Fails(credential, CertificateCredentialFailure.TokenRequestRejected);
        e.Message.Should().StartWith("AADSTS90002:").And.Contain("AuthorityHosts.AzureGovernment");
    }

    [Fact]
    public async Task Unknown_resource_is_AADSTS500011()
    {
        var credential = _entra.Credential(o => o.Scope = "https://vault.azure.net/.default");
        var e = await Fails(credential, CertificateCredentialFailure.TokenRequestRejected);
        e.Message.Should().StartWith("AADSTS500011:").And.Contain("resource named by the scope was not found");
    }

    [Fact]
    public async Task Clock_skew_is_AADSTS700024_saying_so()
    {
        var skewed = new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(30));
        var credential = _entra.Credential(time: skewed);
        var e = await Fails(credential, CertificateCredentialFailure.TokenRequestRejected);
        e.Message.Should().StartWith("AADSTS700024:").And.Contain("clock");
    }

    [Fact]
    public async Task Key_provider_without_pss_is_AADSTS5002730_advising_RS256()
    {
        _entra.Service.RefusePss(TestOptions.ClientId);
        var credential = _entra.Credential(o => o.SigningAlgorithm = "PS256");
        var e = await Fails(credential, CertificateCredentialFailure.TokenRequestRejected);
        e.Message.Should().StartWith("AADSTS5002730:").And.Contain("SigningAlgorithm = \"RS256\"");
    }

    [Theory]
    [InlineData("common")]
    [InlineData("organizations")]
    public async Task Multi_tenant_aliases_are_refused_before_any_request(string tenant)
    {
        var e = Assert.Throws<CertificateCredentialException>(() => new CertificateClientCredential(TestOptions.Rsa2048(o => o.TenantId = tenant)));
        e.Message.Should().Contain("AADSTS9001023");
        await Task.Yield();
        _entra.Service.TokenRequestCount.Should().Be(0);
    }

    [Fact]
    public async Task Unknown_code_points_to_the_lookup_page()
    {
        _entra.Service.EnqueueFault(new TokenFault { StatusCode = 400, ContentType = "application/json", Body = "{\"error\":\"invalid_request\",\"error_description\":\"AADSTS123456: Something new. Trace ID: x\",\"error_codes\":[123456]}" });
        var e = await Fails(_entra.Credential(), CertificateCredentialFailure.TokenRequestRejected);
        e.Message.Should().StartWith("AADSTS123456:").And.Contain("Entra said: \"Something new\"").And.Contain("https://login.microsoftonline.com/error?code=123456");
        e.Message.Should().NotContain("Trace ID: x", "Entra's appended trace lines are cut");
    }

    [Fact]
    public async Task Token_like_text_in_an_error_description_is_removed()
    {
        const string leaked = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJsZWFrIn0.c2lnbmF0dXJl";
        _entra.Service.EnqueueFault(new TokenFault { StatusCode = 400, ContentType = "application/json", Body = "{\"error\":\"invalid_grant\",\"error_description\":\"bad assertion " + leaked + "\",\"error_codes\":[50027]}" });
        var e = await Fails(_entra.Credential(), CertificateCredentialFailure.TokenRequestRejected);
        e.Message.Should().NotContain(leaked);
        e.ErrorDescription.Should().NotContain(leaked);
    }

    [Fact]
    public async Task Html_from_a_proxy_is_named_as_such()
    {
        _entra.Service.PersistentFault = new TokenFault { StatusCode = 502, ContentType = "text/html", Body = "<html><body>Bad gateway</body></html>" };
        var e = await Fails(_entra.Credential(o => o.MaxRetries = 1), CertificateCredentialFailure.TokenEndpointUnavailable);
        e.Message.Should().Contain("HTTP 502").And.Contain("text/html").And.Contain("proxy, gateway or firewall");
        e.StatusCode.Should().Be(502);
        e.IsRetryable.Should().BeTrue();
    }

    [Fact]
    public async Task Html_with_a_client_error_status_is_not_retried()
    {
        _entra.Service.PersistentFault = new TokenFault { StatusCode = 403, ContentType = "text/html", Body = "<html>Forbidden by policy</html>" };
        var e = await Fails(_entra.Credential(), CertificateCredentialFailure.InvalidTokenResponse);
        e.Message.Should().Contain("HTTP 403").And.Contain("text/html");
        _entra.Service.TokenRequestCount.Should().Be(1);
    }

    [Fact]
    public async Task Empty_body_is_named()
    {
        _entra.Service.PersistentFault = new TokenFault { StatusCode = 500, Body = "" };
        var e = await Fails(_entra.Credential(o => o.MaxRetries = 0), CertificateCredentialFailure.TokenEndpointUnavailable);
        e.Message.Should().Contain("HTTP 500").And.Contain("an empty body");
    }

    [Fact]
    public async Task Not_found_points_at_the_endpoint_settings()
    {
        _entra.Service.EnqueueFault(new TokenFault { StatusCode = 404, Body = "" });
        var e = await Fails(_entra.Credential(), CertificateCredentialFailure.InvalidTokenResponse);
        e.Message.Should().Contain("HTTP 404").And.Contain("check AuthorityHost and TenantId");
    }

    [Fact]
    public async Task Success_without_an_access_token_is_invalid()
    {
        _entra.Service.EnqueueFault(new TokenFault { StatusCode = 200, ContentType = "application/json", Body = "{\"token_type\":\"Bearer\",\"expires_in\":3599}" });
        var e = await Fails(_entra.Credential(), CertificateCredentialFailure.InvalidTokenResponse);
        e.Message.Should().Contain("without an access_token");
    }

    [Fact]
    public async Task Success_without_expires_in_is_invalid()
    {
        _entra.Service.EnqueueFault(new TokenFault { StatusCode = 200, ContentType = "application/json", Body = "{\"token_type\":\"Bearer\",\"access_token\":\"abc\"}" });
        var e = await Fails(_entra.Credential(), CertificateCredentialFailure.InvalidTokenResponse);
        e.Message.Should().Contain("no expires_in");
        e.Message.Should().NotContain("\"abc\"");
    }

    [Theory]
    [InlineData("pop")]
    [InlineData("PoP")]
    [InlineData("mac")]
    public async Task A_token_of_another_type_than_bearer_is_refused_not_sent_as_bearer(string type)
    {
        _entra.Service.EnqueueFault(new TokenFault { StatusCode = 200, ContentType = "application/json", Body = "{\"token_type\":\"" + type + "\",\"expires_in\":3599,\"access_token\":\"secret-pop-token\"}" });
        var e = await Fails(_entra.Credential(o => o.MaxRetries = 0), CertificateCredentialFailure.InvalidTokenResponse);
        e.Message.Should().Contain($"type '{type}', not Bearer").And.NotContain("secret-pop-token");
    }

    [Fact]
    public async Task A_token_without_a_type_or_with_bearer_in_any_case_is_taken()
    {
        _entra.Service.EnqueueFault(new TokenFault { StatusCode = 200, ContentType = "application/json", Body = "{\"token_type\":\"bearer\",\"expires_in\":3599,\"access_token\":\"a\"}" });
        (await _entra.Credential().GetTokenAsync()).Token.Should().Be("a");
        _entra.Service.EnqueueFault(new TokenFault { StatusCode = 200, ContentType = "application/json", Body = "{\"expires_in\":3599,\"access_token\":\"b\"}" });
        (await _entra.Credential().GetTokenAsync()).Token.Should().Be("b");
    }
}
