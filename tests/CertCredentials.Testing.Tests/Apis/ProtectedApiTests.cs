using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CertCredentials.Testing.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CertCredentials.Testing.Tests.Apis;

public sealed class ProtectedApiTests : TokenServiceTestBase
{
    private LocalProtectedApi _api = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _api = await LocalProtectedApi.StartAsync(Service, Tenant, Graph);
    }

    public override async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task Hello_answers_a_valid_token_with_the_caller()
    {
        var token = await GetTokenAsync();

        using var response = await SendAsync(HttpMethod.Get, "/hello", token);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        json["appId"]!.GetValue<string>().Should().Be(ClientId);
        json["tenantId"]!.GetValue<string>().Should().Be(Tenant);
        json["message"]!.GetValue<string>().Should().NotBeNullOrEmpty();
        var recorded = _api.Requests.Single();
        recorded.Should().BeEquivalentTo(new
        {
            Method = "GET",
            Path = "/hello",
            HadAuthorization = true,
            TokenValid = true,
            TokenExpired = false,
            TokenId = new JsonWebToken(token).GetPayloadValue<string>("uti"),
            StatusCode = 200,
            Error = (string?)null,
        });
    }

    [Fact]
    public async Task Echo_returns_the_body_for_a_valid_token()
    {
        var token = await GetTokenAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_api.BaseAddress, "/echo"))
        {
            Content = new StringContent("""{"hello":"world"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var response = await Http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        (await response.Content.ReadAsStringAsync()).Should().Be("""{"hello":"world"}""");
    }

    [Fact]
    public async Task Refuses_a_request_without_token()
    {
        using var response = await SendAsync(HttpMethod.Get, "/hello", token: null);

        ShouldChallengeInvalidToken(response);
        _api.Requests.Single().Should().Match<RecordedApiRequest>(r => !r.HadAuthorization && !r.TokenValid && r.Error == "invalid_token");
    }

    [Fact]
    public async Task Refuses_an_expired_token_and_records_it_as_expired()
    {
        var token = await GetTokenAsync();
        Clock.Advance(TimeSpan.FromHours(1));

        using var response = await SendAsync(HttpMethod.Get, "/hello", token);

        ShouldChallengeInvalidToken(response);
        response.Headers.WwwAuthenticate.ToString().Should().Contain("expired");
        _api.Requests.Single().Should().Match<RecordedApiRequest>(r => r.TokenExpired && !r.TokenValid && r.StatusCode == 401);
    }

    [Fact]
    public async Task Accepts_a_token_until_the_last_second_before_exp_with_zero_skew()
    {
        var token = await GetTokenAsync();
        Clock.Advance(TimeSpan.FromHours(1) - TimeSpan.FromSeconds(1));

        using var response = await SendAsync(HttpMethod.Get, "/hello", token);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Refuses_a_token_with_an_invalid_signature()
    {
        var token = new JsonWebToken(await GetTokenAsync());
        using var otherKey = RSA.Create(2048);
        var forged = new JsonWebTokenHandler().CreateToken(
            Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(token.EncodedPayload)),
            new SigningCredentials(new RsaSecurityKey(otherKey) { KeyId = Service.SigningKey.KeyId }, SecurityAlgorithms.RsaSha256));

        using var response = await SendAsync(HttpMethod.Get, "/hello", forged);

        ShouldChallengeInvalidToken(response);
        _api.Requests.Single().Should().Match<RecordedApiRequest>(r => r.HadAuthorization && !r.TokenValid && !r.TokenExpired);
    }

    [Fact]
    public async Task Refuses_a_token_for_another_audience()
    {
        var token = await GetTokenAsync(MyApi + "/.default");

        using var response = await SendAsync(HttpMethod.Get, "/hello", token);

        ShouldChallengeInvalidToken(response);
    }

    [Fact]
    public async Task Refuses_a_token_of_another_tenant()
    {
        const string otherTenant = "fabrikam.onmicrosoft.com";
        Service.RegisterApplication(otherTenant, ClientId, Certificate, Graph);
        var assertion = AssertionFactory.Create(Certificate, ClientId, Service.GetTokenEndpoint(otherTenant), Clock.GetUtcNow());
        var token = (await PostAsync(Form(assertion), otherTenant)).AccessToken;

        using var response = await SendAsync(HttpMethod.Get, "/hello", token);

        ShouldChallengeInvalidToken(response);
    }

    [Fact]
    public async Task Rejects_valid_tokens_when_told_to()
    {
        var token = await GetTokenAsync();
        _api.RejectNextWithInvalidToken(1);

        using var rejected = await SendAsync(HttpMethod.Get, "/hello", token);
        using var accepted = await SendAsync(HttpMethod.Get, "/hello", token);

        ShouldChallengeInvalidToken(rejected);
        accepted.StatusCode.Should().Be(HttpStatusCode.OK);
        _api.Requests.Select(r => (r.TokenValid, r.StatusCode)).Should().Equal((true, 401), (true, 200));
    }

    [Fact]
    public async Task Challenges_a_revoked_cae_token_with_insufficient_claims_then_accepts_a_token_requested_with_the_claims()
    {
        var old = await GetTokenAsync(claims: """{"access_token":{"xms_cc":{"values":["cp1"]}}}""");
        Clock.Advance(TimeSpan.FromSeconds(30));
        Service.RevokeTokens(ClientId);

        using var challenged = await SendAsync(HttpMethod.Get, "/hello", old);

        challenged.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var header = challenged.Headers.WwwAuthenticate.ToString();
        header.Should().StartWith("Bearer realm=\"\", authorization_uri=\"").And.Contain("error=\"insufficient_claims\"");
        var claims = Encoding.UTF8.GetString(Convert.FromBase64String(
            System.Text.RegularExpressions.Regex.Match(header, "claims=\"([^\"]+)\"").Groups[1].Value));
        var revokedAt = Clock.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        JsonNode.Parse(claims)!.ToJsonString().Should().Be(
            JsonNode.Parse("""{"access_token":{"nbf":{"essential":true,"value":"REVOKED"}}}""".Replace("REVOKED", revokedAt, StringComparison.Ordinal))!.ToJsonString());
        _api.Requests.Single().Should().Match<RecordedApiRequest>(r => r.TokenValid && r.Error == "insufficient_claims");

        var merged = """{"access_token":{"nbf":{"essential":true,"value":"REVOKED"},"xms_cc":{"values":["cp1"]}}}""".Replace("REVOKED", revokedAt, StringComparison.Ordinal);
        var fresh = await GetTokenAsync(claims: merged);
        using var accepted = await SendAsync(HttpMethod.Get, "/hello", fresh);

        accepted.StatusCode.Should().Be(HttpStatusCode.OK);
        new JsonWebToken(fresh).GetPayloadValue<long>("nbf").Should().BeGreaterThanOrEqualTo(long.Parse(revokedAt, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Revocation_orders_tokens_even_within_the_same_second()
    {
        var old = await GetTokenAsync(claims: """{"access_token":{"xms_cc":{"values":["cp1"]}}}""");
        Service.RevokeTokens(ClientId);
        var fresh = await GetTokenAsync(claims: """{"access_token":{"xms_cc":{"values":["cp1"]}}}""");

        using var challenged = await SendAsync(HttpMethod.Get, "/hello", old);
        using var accepted = await SendAsync(HttpMethod.Get, "/hello", fresh);

        challenged.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        accepted.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Keeps_accepting_a_revoked_token_of_a_client_not_capable_of_cae()
    {
        var token = await GetTokenAsync();
        Service.RevokeTokens(ClientId);

        using var response = await SendAsync(HttpMethod.Get, "/hello", token);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Redirect_answers_302_to_the_given_url_and_records_the_authorization_header()
    {
        await using var other = await LocalProtectedApi.StartAsync(Service, Tenant, Graph);
        var target = new Uri(other.BaseAddress, "/hello");
        var token = await GetTokenAsync();

        using var response = await SendAsync(HttpMethod.Get, "/redirect?to=" + Uri.EscapeDataString(target.AbsoluteUri), token);

        // HttpClient follows the redirect and drops the Authorization header on the way.
        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        _api.Requests.Single().Should().Match<RecordedApiRequest>(r => r.StatusCode == 302 && r.HadAuthorization);
        other.Requests.Single().HadAuthorization.Should().BeFalse();
    }

    [Fact]
    public async Task Redirect_without_a_target_is_a_bad_request()
    {
        using var response = await SendAsync(HttpMethod.Get, "/redirect", token: null);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Validation_parameters_check_signature_issuer_audience_and_lifetime_on_the_service_clock()
    {
        var token = await GetTokenAsync();
        var handler = new JsonWebTokenHandler();
        var parameters = Service.CreateValidationParameters(Tenant, Graph);

        (await handler.ValidateTokenAsync(token, parameters)).IsValid.Should().BeTrue();
        (await handler.ValidateTokenAsync(token, Service.CreateValidationParameters(Tenant, MyApi))).IsValid.Should().BeFalse();
        (await handler.ValidateTokenAsync(token, Service.CreateValidationParameters("other", Graph))).IsValid.Should().BeFalse();
        Clock.Advance(TimeSpan.FromHours(2));
        (await handler.ValidateTokenAsync(token, parameters)).IsValid.Should().BeFalse();
    }

    private async Task<string> GetTokenAsync(string scope = GraphScope, string? claims = null)
    {
        var form = Form(NewAssertion(), scope);
        if (claims is not null)
        {
            form["claims"] = claims;
        }

        var answer = await PostAsync(form);
        answer.Status.Should().Be(HttpStatusCode.OK, answer.Body);
        return answer.AccessToken;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token)
    {
        using var request = new HttpRequestMessage(method, new Uri(_api.BaseAddress, path));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await Http.SendAsync(request);
    }

    private static void ShouldChallengeInvalidToken(HttpResponseMessage response)
    {
        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().Should().MatchRegex("^Bearer error=\"invalid_token\", error_description=\"[^\"]+\"$");
    }
}
