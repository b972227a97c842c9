using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using CertCredentials.Testing.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CertCredentials.Testing.Tests.TokenService;

public sealed class TokenEndpointTests : TokenServiceTestBase
{
    [Fact]
    public async Task Issues_token_for_RS256_assertion_found_by_x5t_S256()
    {
        var answer = await RequestTokenAsync();

        answer.Status.Should().Be(HttpStatusCode.OK, answer.Body);
        answer.MediaType.Should().Be("application/json");
        answer.Json!["token_type"]!.GetValue<string>().Should().Be("Bearer");
        answer.Json["expires_in"]!.GetValue<int>().Should().Be(3599);
        answer.Json["ext_expires_in"]!.GetValue<int>().Should().Be(3599);
        answer.Json["refresh_in"].Should().BeNull();
        answer.Json["refresh_token"].Should().BeNull();
        answer.Headers["Cache-Control"].Should().Contain("no-store");
    }

    [Fact]
    public async Task Issued_access_token_is_an_entra_shaped_app_token_signed_by_the_service_key()
    {
        var answer = await RequestTokenAsync();

        var handler = new JsonWebTokenHandler();
        var result = await handler.ValidateTokenAsync(answer.AccessToken, Service.CreateValidationParameters(Tenant, Graph));
        result.IsValid.Should().BeTrue(result.Exception?.Message);
        var token = (JsonWebToken)result.SecurityToken;
        token.Alg.Should().Be("RS256");
        token.Kid.Should().Be(Service.SigningKey.KeyId).And.NotBeNullOrEmpty();
        token.Issuer.Should().Be(Service.GetIssuer(Tenant)).And.Be($"{Service.BaseAddress.GetLeftPart(UriPartial.Authority)}/{Tenant}/v2.0");
        token.Audiences.Should().Equal(Graph);
        token.GetPayloadValue<string>("appid").Should().Be(ClientId);
        token.GetPayloadValue<string>("azp").Should().Be(ClientId);
        token.GetPayloadValue<string>("tid").Should().Be(Tenant);
        token.GetPayloadValue<string>("idtyp").Should().Be("app");
        token.GetPayloadValue<string>("ver").Should().Be("2.0");
        token.GetPayloadValue<string>("oid").Should().NotBeNullOrEmpty().And.Be(token.Subject);
        token.GetPayloadValue<string>("uti").Should().NotBeNullOrEmpty();
        token.Id.Should().NotBeNullOrEmpty();
        token.TryGetPayloadValue<object>("xms_cc", out _).Should().BeFalse();
        var now = Clock.GetUtcNow().ToUnixTimeSeconds();
        token.GetPayloadValue<long>("iat").Should().Be(now);
        token.GetPayloadValue<long>("nbf").Should().Be(now);
        token.GetPayloadValue<long>("exp").Should().Be(now + 3600);
    }

    [Fact]
    public async Task Issues_unique_token_ids()
    {
        var first = new JsonWebToken((await RequestTokenAsync()).AccessToken);
        var second = new JsonWebToken((await RequestTokenAsync()).AccessToken);

        first.GetPayloadValue<string>("uti").Should().NotBe(second.GetPayloadValue<string>("uti"));
    }

    [Fact]
    public async Task Issues_token_for_PS256_assertion()
    {
        var answer = await PostAsync(Form(NewAssertion(SecurityAlgorithms.RsaSsaPssSha256)));

        answer.Status.Should().Be(HttpStatusCode.OK, answer.Body);
        Service.Requests.Single().Assertion!.Alg.Should().Be("PS256");
    }

    [Fact]
    public async Task Finds_key_by_legacy_x5t()
    {
        var assertion = NewAssertion(legacyThumbprint: true);

        var answer = await PostAsync(Form(assertion));

        answer.Status.Should().Be(HttpStatusCode.OK, answer.Body);
        var header = new JsonWebToken(assertion);
        header.X5t.Should().Be(AssertionFactory.Thumbprint1(Certificate)).And.HaveLength(27);
        header.TryGetHeaderValue<string>("x5t#S256", out _).Should().BeFalse();
    }

    [Fact]
    public async Task Issues_token_for_hand_signed_PS256_assertion_with_salt_of_32_bytes()
    {
        var (header, payload) = AssertionFactory.Parts(Certificate, ClientId, Endpoint, Clock.GetUtcNow(), "PS256");
        using var key = Certificate.GetRSAPrivateKey()!;

        var answer = await PostAsync(Form(AssertionFactory.Sign(header, payload, key, pss: true)));

        answer.Status.Should().Be(HttpStatusCode.OK, answer.Body);
    }

    [Fact]
    public async Task Accepts_x5c_as_array_and_as_single_string_as_msal_sends()
    {
        var der = Convert.ToBase64String(Certificate.RawData);

        (await PostAsync(Form(NewAssertion(x5c: new[] { der })))).Status.Should().Be(HttpStatusCode.OK);
        (await PostAsync(Form(NewAssertion(x5c: der)))).Status.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Refuses_x5c_that_does_not_start_with_registered_certificate()
    {
        using var other = TestCertificates.Create("CN=other");

        var answer = await PostAsync(Form(NewAssertion(x5c: new[] { Convert.ToBase64String(other.RawData) })));

        answer.ShouldBeError(HttpStatusCode.Unauthorized, "invalid_client", 50012);
    }

    [Theory]
    [InlineData("common")]
    [InlineData("organizations")]
    [InlineData("consumers")]
    public async Task Refuses_multi_tenant_aliases(string tenant)
    {
        var answer = await PostAsync(Form(NewAssertion()), tenant);

        answer.ShouldBeError(HttpStatusCode.BadRequest, "invalid_request", 9001023);
    }

    [Fact]
    public async Task Refuses_unknown_tenant()
    {
        var answer = await PostAsync(Form(NewAssertion()), "00000000-0000-0000-0000-000000000001");

        answer.ShouldBeError(HttpStatusCode.BadRequest, "invalid_request", 90002);
    }

    [Fact]
    public async Task Accepts_a_verified_domain_as_tenant()
    {
        const string domain = "contoso.onmicrosoft.com";
        Service.RegisterApplication(domain, ClientId, Certificate, Graph);
        var assertion = AssertionFactory.Create(Certificate, ClientId, Service.GetTokenEndpoint(domain), Clock.GetUtcNow());

        var answer = await PostAsync(Form(assertion), domain);

        answer.Status.Should().Be(HttpStatusCode.OK, answer.Body);
        new JsonWebToken(answer.AccessToken).Issuer.Should().Be(Service.GetIssuer(domain));
    }

    [Fact]
    public async Task Refuses_unsupported_grant_type()
    {
        var form = Form(NewAssertion());
        form["grant_type"] = "password";

        var answer = await PostAsync(form);

        answer.ShouldBeError(HttpStatusCode.BadRequest, "unsupported_grant_type", 70003);
    }

    [Fact]
    public async Task Refuses_missing_grant_type()
    {
        var form = Form(NewAssertion());
        form.Remove("grant_type");

        var answer = await PostAsync(form);

        answer.ShouldBeError(HttpStatusCode.BadRequest, "invalid_request", 900144);
    }

    [Fact]
    public async Task Refuses_client_unknown_in_the_tenant()
    {
        var answer = await PostAsync(Form(NewAssertion(), clientId: Guid.NewGuid().ToString()));

        answer.ShouldBeError(HttpStatusCode.BadRequest, "unauthorized_client", 700016);
    }

    [Fact]
    public async Task Refuses_request_without_client_assertion()
    {
        var form = Form(NewAssertion());
        form.Remove("client_assertion");

        var answer = await PostAsync(form);

        answer.ShouldBeError(HttpStatusCode.Unauthorized, "invalid_client", 7000218);
    }

    [Fact]
    public async Task Refuses_client_secret_of_a_certificate_only_app()
    {
        var form = Form(NewAssertion());
        form.Remove("client_assertion");
        form["client_secret"] = "not-a-secret";

        var answer = await PostAsync(form);

        answer.ShouldBeError(HttpStatusCode.Unauthorized, "invalid_client", 7000215);
    }

    [Fact]
    public async Task Refuses_wrong_client_assertion_type()
    {
        var form = Form(NewAssertion());
        form["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:saml2-bearer";

        var answer = await PostAsync(form);

        answer.ShouldBeError(HttpStatusCode.BadRequest, "invalid_request", 50027);
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("a.b.c")]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0")]
    public async Task Refuses_unparsable_assertion(string assertion)
    {
        var answer = await PostAsync(Form(assertion));

        answer.ShouldBeError(HttpStatusCode.Unauthorized, "invalid_client", 50027);
    }

    [Theory]
    [InlineData("HS256")]
    [InlineData("none")]
    [InlineData("RS384")]
    [InlineData("ES256")]
    public async Task Refuses_unsupported_signing_algorithm(string algorithm)
    {
        var (header, payload) = AssertionFactory.Parts(Certificate, ClientId, Endpoint, Clock.GetUtcNow(), algorithm);
        using var key = Certificate.GetRSAPrivateKey()!;

        var answer = await PostAsync(Form(AssertionFactory.Sign(header, payload, key)));

        answer.ShouldBeError(HttpStatusCode.Unauthorized, "invalid_client", 50027);
    }

    [Fact]
    public async Task Refuses_assertion_of_unregistered_certificate_key_not_found()
    {
        using var other = TestCertificates.Create("CN=unregistered");
        var assertion = AssertionFactory.Create(other, ClientId, Endpoint, Clock.GetUtcNow());

        var answer = await PostAsync(Form(assertion));

        answer.ShouldBeError(HttpStatusCode.Unauthorized, "invalid_client", 700027);
        answer.Json!["error_description"]!.GetValue<string>().Should().Contain("key was not found");
    }

    [Fact]
    public async Task Refuses_assertion_without_thumbprint()
    {
        var (header, payload) = AssertionFactory.Parts(Certificate, ClientId, Endpoint, Clock.GetUtcNow());
        header.Remove("x5t#S256");
        using var key = Certificate.GetRSAPrivateKey()!;

        var answer = await PostAsync(Form(AssertionFactory.Sign(header, payload, key)));

        answer.ShouldBeError(HttpStatusCode.Unauthorized, "invalid_client", 700027);
    }

    [Fact]
    public async Task Refuses_thumbprint_in_hex_instead_of_base64url()
    {
        var (header, payload) = AssertionFactory.Parts(Certificate, ClientId, Endpoint, Clock.GetUtcNow());
        header.Remove("x5t#S256");
        header["x5t"] = Certificate.Thumbprint;
        using var key = Certificate.GetRSAPrivateKey()!;

        var answer = await PostAsync(Form(AssertionFactory.Sign(header, payload, key)));

        answer.ShouldBeError(HttpStatusCode.Unauthorized, "invalid_client", 700027);
    }

    [Fact]
    public async Task Refuses_PS256_for_app_whose_key_provider_cannot_do_PSS()
    {
        Service.RefusePss(ClientId);

        var pss = await PostAsync(Form(NewAssertion(SecurityAlgorithms.RsaSsaPssSha256)));
        var pkcs1 = await PostAsync(Form(NewAssertion()));

        pss.ShouldBeError(HttpStatusCode.BadRequest, "invalid_request", 5002730);
        pkcs1.Status.Should().Be(HttpStatusCode.OK, pkcs1.Body);
    }

    [Fact]
    public async Task Refuses_invalid_signature()
    {
        var (header, payload) = AssertionFactory.Parts(Certificate, ClientId, Endpoint, Clock.GetUtcNow());
        using var wrongKey = RSA.Create(2048);

        var answer = await PostAsync(Form(AssertionFactory.Sign(header, payload, wrongKey)));

        answer.ShouldBeError(HttpStatusCode.Unauthorized, "invalid_client", 700027);
        answer.Json!["error_description"]!.GetValue<string>().Should().Contain("signature validation failed");
    }

    [Fact]
    public async Task Refuses_RS256_signature_presented_as_PS256()
    {
        var (header, payload) = AssertionFactory.Parts(Certificate, ClientId, Endpoint, Clock.GetUtcNow(), "PS256");
        using var key = Certificate.GetRSAPrivateKey()!;

        var answer = await PostAsync(Form(AssertionFactory.Sign(header, payload, key, pss: false)));

        answer.ShouldBeError(HttpStatusCode.Unauthorized, "invalid_client", 700027);
    }

    [Fact]
    public async Task Refuses_weak_rsa_key()
    {
        using var weak = TestCertificates.Create("CN=weak", 1024);
        Service.RegisterApplication(Tenant, ClientId, weak, Graph);
        var assertion = AssertionFactory.Create(weak, ClientId, Endpoint, Clock.GetUtcNow());

        var answer = await PostAsync(Form(assertion));

        answer.ShouldBeError(HttpStatusCode.Unauthorized, "invalid_client", 50032);
    }

    [Fact]
    public async Task Accepts_any_of_several_registered_certificates()
    {
        using var second = TestCertificates.Create("CN=rollover");
        Service.RegisterApplication(Tenant, ClientId, second);

        var answer = await PostAsync(Form(AssertionFactory.Create(second, ClientId, Endpoint, Clock.GetUtcNow())));

        answer.Status.Should().Be(HttpStatusCode.OK, answer.Body);
    }

    [Theory]
    [InlineData("issuer")]
    [InlineData("authority")]
    [InlineData("v1")]
    [InlineData("other-tenant")]
    public async Task Refuses_audience_other_than_the_token_endpoint(string kind)
    {
        var authority = Service.BaseAddress.GetLeftPart(UriPartial.Authority);
        var audience = kind switch
        {
            "issuer" => Service.GetIssuer(Tenant),
            "authority" => $"{authority}/{Tenant}",
            "v1" => $"{authority}/{Tenant}/oauth2/token",
            _ => $"{authority}/common/oauth2/v2.0/token",
        };
        var (header, payload) = AssertionFactory.Parts(Certificate, ClientId, Endpoint, Clock.GetUtcNow());
        payload["aud"] = audience;
        using var key = Certificate.GetRSAPrivateKey()!;

        var answer = await PostAsync(Form(AssertionFactory.Sign(header, payload, key)));

        answer.ShouldBeError(HttpStatusCode.Unauthorized, "invalid_client", 700023);
    }

    [Fact]
    public async Task Refuses_issuer_other_than_client_id()
    {
        var answer = await SendEditedAsync(p =>
        {
            p["iss"] = "someone-else";
            p["sub"] = "someone-else";
        });

        answer.ShouldBeError(HttpStatusCode.Unauthorized, "invalid_client", 700021);
    }

    [Fact]
    public async Task Refuses_subject_other_than_issuer()
    {
        var answer = await SendEditedAsync(p => p["sub"] = "someone-else");

        answer.ShouldBeError(HttpStatusCode.Unauthorized, "invalid_client", 50048);
    }

    [Fact]
    public async Task Refuses_missing_jti()
    {
        var answer = await SendEditedAsync(p => p.Remove("jti"));

        answer.ShouldBeError(HttpStatusCode.Unauthorized, "invalid_client", 50027);
    }

    [Fact]
    public async Task Refuses_replayed_jti()
    {
        var assertion = NewAssertion();

        var first = await PostAsync(Form(assertion));
        var replay = await PostAsync(Form(assertion));

        first.Status.Should().Be(HttpStatusCode.OK, first.Body);
        replay.ShouldBeError(HttpStatusCode.Unauthorized, "invalid_client", 50027);
        replay.Json!["error_description"]!.GetValue<string>().Should().Contain("replayed");
    }

    [Fact]
    public async Task Does_not_burn_the_jti_of_a_refused_assertion()
    {
        var assertion = NewAssertion();

        var refused = await PostAsync(Form(assertion, "https://unregistered.example.com/.default"));
        var retried = await PostAsync(Form(assertion));

        refused.ShouldBeError(HttpStatusCode.BadRequest, "invalid_resource", 500011);
        retried.Status.Should().Be(HttpStatusCode.OK, retried.Body);
    }

    [Theory]
    [InlineData("exp")]
    [InlineData("nbf")]
    public async Task Refuses_missing_time_claim(string claim)
    {
        var answer = await SendEditedAsync(p => p.Remove(claim));

        answer.ShouldBeError(HttpStatusCode.Unauthorized, "invalid_client", 50027);
    }

    [Fact]
    public async Task Refuses_non_numeric_time_claim()
    {
        var answer = await SendEditedAsync(p => p["exp"] = "tomorrow");

        answer.ShouldBeError(HttpStatusCode.Unauthorized, "invalid_client", 50027);
    }

    [Fact]
    public async Task Accepts_time_claims_written_as_strings_as_msal_did()
    {
        var now = Clock.GetUtcNow();
        var answer = await SendEditedAsync(p =>
        {
            p["nbf"] = now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            p["iat"] = now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            p["exp"] = now.AddMinutes(10).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        });

        answer.Status.Should().Be(HttpStatusCode.OK, answer.Body);
    }

    [Fact]
    public async Task Refuses_expired_assertion()
    {
        var assertion = NewAssertion();
        Clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));

        var answer = await PostAsync(Form(assertion));

        answer.ShouldBeError(HttpStatusCode.Unauthorized, "invalid_client", 700024);
    }

    [Fact]
    public async Task Accepts_expired_assertion_within_clock_skew()
    {
        var assertion = NewAssertion();
        Clock.Advance(TimeSpan.FromMinutes(14));

        var answer = await PostAsync(Form(assertion));

        answer.Status.Should().Be(HttpStatusCode.OK, answer.Body);
    }

    [Fact]
    public async Task Refuses_assertion_not_yet_valid_beyond_clock_skew()
    {
        var future = Clock.GetUtcNow().AddMinutes(6);
        var answer = await SendEditedAsync(p =>
        {
            p["nbf"] = future.ToUnixTimeSeconds();
            p["iat"] = future.ToUnixTimeSeconds();
            p["exp"] = future.AddMinutes(5).ToUnixTimeSeconds();
        });

        answer.ShouldBeError(HttpStatusCode.Unauthorized, "invalid_client", 700024);
    }

    [Fact]
    public async Task Accepts_assertion_from_a_client_clock_ahead_within_skew()
    {
        var future = Clock.GetUtcNow().AddMinutes(4);
        var answer = await SendEditedAsync(p =>
        {
            p["nbf"] = future.ToUnixTimeSeconds();
            p["iat"] = future.ToUnixTimeSeconds();
            p["exp"] = future.AddMinutes(10).ToUnixTimeSeconds();
        });

        answer.Status.Should().Be(HttpStatusCode.OK, answer.Body);
    }

    [Fact]
    public async Task Refuses_assertion_living_longer_than_the_maximum()
    {
        var now = Clock.GetUtcNow();
        var answer = await SendEditedAsync(p => p["exp"] = now.AddMinutes(11).ToUnixTimeSeconds());

        answer.ShouldBeError(HttpStatusCode.Unauthorized, "invalid_client", 700024);
    }

    [Fact]
    public async Task Refuses_assertion_whose_iat_is_older_than_the_maximum_lifetime_before_exp()
    {
        var now = Clock.GetUtcNow();
        var answer = await SendEditedAsync(p => p["iat"] = now.AddMinutes(-5).ToUnixTimeSeconds());

        answer.ShouldBeError(HttpStatusCode.Unauthorized, "invalid_client", 700024);
    }

    [Fact]
    public async Task Refuses_missing_scope()
    {
        var form = Form(NewAssertion());
        form.Remove("scope");

        var answer = await PostAsync(form);

        answer.ShouldBeError(HttpStatusCode.BadRequest, "invalid_request", 900144);
    }

    [Theory]
    [InlineData("https://graph.microsoft.com/User.Read")]
    [InlineData("https://graph.microsoft.com")]
    [InlineData("https://graph.microsoft.com/.default openid")]
    public async Task Refuses_scope_without_default_suffix(string scope)
    {
        var answer = await PostAsync(Form(NewAssertion(), scope));

        answer.ShouldBeError(HttpStatusCode.BadRequest, "invalid_scope", 1002012);
    }

    [Fact]
    public async Task Refuses_scopes_of_more_than_one_resource()
    {
        var answer = await PostAsync(Form(NewAssertion(), $"{GraphScope} {MyApi}/.default"));

        answer.ShouldBeError(HttpStatusCode.BadRequest, "invalid_scope", 700022);
    }

    [Fact]
    public async Task Refuses_resource_not_registered_for_the_app()
    {
        var answer = await PostAsync(Form(NewAssertion(), "https://management.azure.com/.default"));

        answer.ShouldBeError(HttpStatusCode.BadRequest, "invalid_resource", 500011);
    }

    [Theory]
    [InlineData("https://graph.microsoft.com//.default", "https://graph.microsoft.com")]
    [InlineData("api://my-api/.default", "api://my-api")]
    [InlineData("https://graph.microsoft.com/.default https://graph.microsoft.com/.default", "https://graph.microsoft.com")]
    public async Task Issues_token_whose_audience_is_the_resource(string scope, string audience)
    {
        var answer = await PostAsync(Form(NewAssertion(), scope));

        answer.Status.Should().Be(HttpStatusCode.OK, answer.Body);
        new JsonWebToken(answer.AccessToken).Audiences.Should().Equal(audience);
    }

    [Fact]
    public async Task Refuses_malformed_claims_parameter()
    {
        var form = Form(NewAssertion());
        form["claims"] = "{not json";

        var answer = await PostAsync(form);

        answer.ShouldBeError(HttpStatusCode.BadRequest, "invalid_request", 50000);
    }

    [Fact]
    public async Task Adds_client_capability_cp1_when_the_claims_parameter_asks_for_it()
    {
        var form = Form(NewAssertion());
        form["claims"] = """{"access_token":{"xms_cc":{"values":["cp1"]},"nbf":{"essential":true,"value":"1700000000"}}}""";

        var answer = await PostAsync(form);

        answer.Status.Should().Be(HttpStatusCode.OK, answer.Body);
        new JsonWebToken(answer.AccessToken).Claims.Where(c => c.Type == "xms_cc").Select(c => c.Value).Should().Equal("cp1");
    }

    [Fact]
    public async Task Error_answer_is_entra_shaped_with_correlation_id_from_client_request_id()
    {
        var correlationId = Guid.NewGuid().ToString();

        var answer = await PostAsync(Form(NewAssertion(), "https://management.azure.com/.default"), configure: r =>
            r.Headers.Add("client-request-id", correlationId));

        answer.MediaType.Should().Be("application/json");
        var json = answer.Json!;
        var description = json["error_description"]!.GetValue<string>();
        description.Should().StartWith("AADSTS500011: ");
        description.Should().MatchRegex(@"Trace ID: [0-9a-f-]{36}\r\nCorrelation ID: " + correlationId + @"\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$");
        json["timestamp"]!.GetValue<string>().Should().Be("2026-03-01 12:00:00Z");
        Guid.TryParse(json["trace_id"]!.GetValue<string>(), out _).Should().BeTrue();
        json["correlation_id"]!.GetValue<string>().Should().Be(correlationId);
        json["error_uri"]!.GetValue<string>().Should().EndWith("/error?code=500011");
        answer.Headers.ContainsKey("client-request-id").Should().BeFalse("it is echoed only when asked");
    }

    [Fact]
    public async Task Error_answer_has_a_new_correlation_id_without_client_request_id()
    {
        var answer = await PostAsync(Form(NewAssertion(), "https://management.azure.com/.default"));

        Guid.TryParse(answer.Json!["correlation_id"]!.GetValue<string>(), out _).Should().BeTrue();
    }

    [Fact]
    public async Task Echoes_client_request_id_when_asked()
    {
        var correlationId = Guid.NewGuid().ToString();

        var answer = await PostAsync(Form(NewAssertion()), configure: r =>
        {
            r.Headers.Add("client-request-id", correlationId);
            r.Headers.Add("return-client-request-id", "true");
        });

        answer.Status.Should().Be(HttpStatusCode.OK, answer.Body);
        answer.Headers["client-request-id"].Should().Be(correlationId);
    }

    [Fact]
    public async Task Records_requests_with_form_headers_assertion_and_outcome()
    {
        var assertion = NewAssertion();
        await PostAsync(Form(assertion), configure: r => r.Headers.Add("client-request-id", "abc"));
        await PostAsync(Form("garbage"));

        var requests = Service.Requests;

        requests.Should().HaveCount(2);
        requests[0].Tenant.Should().Be(Tenant);
        requests[0].ReceivedAt.Should().Be(Clock.GetUtcNow());
        requests[0].Form["client_id"].Should().Be(ClientId);
        requests[0].Form["client_assertion"].Should().Be(assertion);
        requests[0].Headers["Client-Request-Id"].Should().Be("abc");
        requests[0].Assertion!.GetHeaderValue<string>("x5t#S256").Should().Be(AssertionFactory.Thumbprint256(Certificate));
        requests[0].StatusCode.Should().Be(200);
        requests[0].Error.Should().BeNull();
        requests[0].ErrorCodes.Should().BeEmpty();
        requests[1].Assertion.Should().BeNull();
        requests[1].StatusCode.Should().Be(401);
        requests[1].Error.Should().Be("invalid_client");
        requests[1].ErrorCodes.Should().Equal(50027);
        Service.TokenRequestCount.Should().Be(2);

        Service.ClearRequests();

        Service.Requests.Should().BeEmpty();
        Service.TokenRequestCount.Should().Be(2);
    }

    [Fact]
    public async Task Serves_200_concurrent_requests_and_counts_them()
    {
        var assertions = Enumerable.Range(0, 200).Select(_ => NewAssertion()).ToArray();

        var answers = await Task.WhenAll(assertions.Select(a => PostAsync(Form(a))));

        answers.Should().OnlyContain(a => a.Status == HttpStatusCode.OK);
        answers.Select(a => new JsonWebToken(a.AccessToken).GetPayloadValue<string>("uti")).Should().OnlyHaveUniqueItems();
        Service.TokenRequestCount.Should().Be(200);
        Service.Requests.Should().HaveCount(200);
    }

    [Fact]
    public async Task Concurrent_replays_of_one_assertion_get_exactly_one_token()
    {
        var assertion = NewAssertion();

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => PostAsync(Form(assertion))));

        answers.Count(a => a.Status == HttpStatusCode.OK).Should().Be(1);
        answers.Where(a => a.Status != HttpStatusCode.OK).Should().OnlyContain(a => a.ErrorCodes.SequenceEqual(new[] { 50027 }));
    }

    [Fact]
    public async Task Serves_openid_configuration_and_keys_that_verify_issued_tokens()
    {
        var configuration = JsonNode.Parse(await Http.GetStringAsync(new Uri(Service.BaseAddress, $"/{Tenant}/v2.0/.well-known/openid-configuration")))!;
        configuration["token_endpoint"]!.GetValue<string>().Should().Be(Endpoint.AbsoluteUri);
        configuration["issuer"]!.GetValue<string>().Should().Be(Service.GetIssuer(Tenant));
        var jwksUri = new Uri(configuration["jwks_uri"]!.GetValue<string>());

        var jwks = new JsonWebKeySet(await Http.GetStringAsync(jwksUri));
        var token = (await RequestTokenAsync()).AccessToken;

        jwks.Keys.Should().ContainSingle().Which.Kid.Should().Be(Service.SigningKey.KeyId);
        var parameters = Service.CreateValidationParameters(Tenant, Graph);
        parameters.IssuerSigningKey = null;
        parameters.IssuerSigningKeys = jwks.GetSigningKeys();
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, parameters);
        result.IsValid.Should().BeTrue(result.Exception?.Message);
    }

    [Fact]
    public async Task Openid_configuration_of_unknown_tenant_is_refused_with_90002()
    {
        using var response = await Http.GetAsync(new Uri(Service.BaseAddress, "/unknown-tenant/v2.0/.well-known/openid-configuration"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain("AADSTS90002");
    }

    [Fact]
    public async Task Token_endpoint_and_issuer_are_built_from_the_base_address()
    {
        Service.BaseAddress.Host.Should().Be("127.0.0.1");
        Service.BaseAddress.AbsolutePath.Should().Be("/");
        var authority = Service.BaseAddress.GetLeftPart(UriPartial.Authority);
        Endpoint.AbsoluteUri.Should().Be($"{authority}/{Tenant}/oauth2/v2.0/token");
        Service.GetIssuer(Tenant).Should().Be($"{authority}/{Tenant}/v2.0");

        using var response = await Http.GetAsync(Endpoint);
        response.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
    }

    private async Task<TokenAnswer> SendEditedAsync(Action<JsonObject> editPayload)
    {
        var (header, payload) = AssertionFactory.Parts(Certificate, ClientId, Endpoint, Clock.GetUtcNow());
        editPayload(payload);
        using var key = Certificate.GetRSAPrivateKey()!;
        return await PostAsync(Form(AssertionFactory.Sign(header, payload, key)));
    }
}
