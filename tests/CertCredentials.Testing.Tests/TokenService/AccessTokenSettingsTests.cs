using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using CertCredentials.Testing.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;

namespace CertCredentials.Testing.Tests.TokenService;

public sealed class AccessTokenSettingsTests : TokenServiceTestBase
{
    [Fact]
    public async Task Configured_lifetime_roles_and_claims_reach_the_issued_tokens()
    {
        Service.ConfigureAccessTokens(Tenant, ClientId, new AccessTokenSettings
        {
            Lifetime = TimeSpan.FromMinutes(5),
            Roles = ["User.Read.All", "Organization.Read.All"],
            Claims = new Dictionary<string, object> { ["wids"] = new[] { "0997a1d0-0d1d-4acb-b408-d5ca73121e90" }, ["ver"] = "1.0" },
        });

        var answer = await RequestTokenAsync();

        answer.Status.Should().Be(HttpStatusCode.OK, answer.Body);
        answer.Json!["expires_in"]!.GetValue<int>().Should().Be(299);
        var token = new JsonWebToken(answer.AccessToken);
        token.GetPayloadValue<long>("exp").Should().Be(token.GetPayloadValue<long>("iat") + 300);
        token.Claims.Where(c => c.Type == "roles").Select(c => c.Value).Should().Equal("User.Read.All", "Organization.Read.All");
        token.Claims.Where(c => c.Type == "wids").Select(c => c.Value).Should().Equal("0997a1d0-0d1d-4acb-b408-d5ca73121e90");
        token.GetPayloadValue<string>("ver").Should().Be("1.0", "a claim of the settings replaces the standard one");
        token.GetPayloadValue<string>("appid").Should().Be(ClientId);
    }

    [Fact]
    public async Task Without_settings_tokens_carry_no_roles_and_the_service_lifetime()
    {
        var token = new JsonWebToken((await RequestTokenAsync()).AccessToken);

        token.TryGetPayloadValue<object>("roles", out _).Should().BeFalse();
        token.GetPayloadValue<long>("exp").Should().Be(token.GetPayloadValue<long>("iat") + 3600);
    }

    [Fact]
    public async Task Settings_are_copied_when_configured()
    {
        var roles = new List<string> { "Orders.Read" };
        var claims = new Dictionary<string, object> { ["team"] = "blue" };
        Service.ConfigureAccessTokens(Tenant, ClientId, new AccessTokenSettings { Roles = roles, Claims = claims });
        roles.Add("Orders.Write");
        claims["team"] = "red";

        var token = new JsonWebToken((await RequestTokenAsync()).AccessToken);

        token.Claims.Where(c => c.Type == "roles").Select(c => c.Value).Should().Equal("Orders.Read");
        token.GetPayloadValue<string>("team").Should().Be("blue");
    }

    [Fact]
    public async Task Configuring_again_replaces_the_settings_and_empty_settings_restore_the_defaults()
    {
        Service.ConfigureAccessTokens(Tenant, ClientId, new AccessTokenSettings { Roles = ["Orders.Read"] });
        Service.ConfigureAccessTokens(Tenant, ClientId, new AccessTokenSettings());

        var token = new JsonWebToken((await RequestTokenAsync()).AccessToken);

        token.TryGetPayloadValue<object>("roles", out _).Should().BeFalse();
    }

    [Fact]
    public void Configuring_an_unregistered_application_says_to_register_it_first()
    {
        var act = () => Service.ConfigureAccessTokens(Tenant, "11111111-2222-3333-4444-555555555555", new AccessTokenSettings());

        act.Should().Throw<InvalidOperationException>().WithMessage("*11111111-2222-3333-4444-555555555555*RegisterApplication*");
    }

    [Theory]
    [InlineData("aud")]
    [InlineData("iss")]
    [InlineData("exp")]
    [InlineData("nbf")]
    [InlineData("iat")]
    [InlineData("roles")]
    [InlineData("lts_seq")]
    public void Claims_the_service_decides_are_refused_by_name(string claim)
    {
        var settings = new AccessTokenSettings { Claims = new Dictionary<string, object> { [claim] = "x" } };

        var configure = () => Service.ConfigureAccessTokens(Tenant, ClientId, settings);
        var create = () => Service.CreateAccessToken(Tenant, ClientId, Graph, settings);

        configure.Should().Throw<ArgumentException>().WithMessage($"*'{claim}'*").Which.ParamName.Should().Be("settings");
        create.Should().Throw<ArgumentException>().WithMessage($"*'{claim}'*");
    }

    [Fact]
    public void Invalid_lifetimes_roles_and_claim_values_are_refused()
    {
        AccessTokenSettings[] invalid =
        [
            new() { Lifetime = TimeSpan.FromMilliseconds(999) },
            new() { Lifetime = TimeSpan.FromMinutes(-5) },
            new() { Roles = ["Orders.Read", " "] },
            new() { Roles = null! },
            new() { Claims = null! },
            new() { Claims = new Dictionary<string, object> { ["team"] = null! } },
        ];

        foreach (var settings in invalid)
        {
            var act = () => Service.ConfigureAccessTokens(Tenant, ClientId, settings);
            act.Should().Throw<ArgumentException>();
        }
    }

    [Fact]
    public async Task A_created_token_is_accepted_by_the_protected_api_with_its_roles()
    {
        await using var api = await LocalProtectedApi.StartAsync(Service, Tenant, MyApi);
        var token = Service.CreateAccessToken(Tenant, ClientId, MyApi, new AccessTokenSettings { Roles = ["Orders.Read"] });

        using var response = await GetHelloAsync(api, token);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        json["roles"]!.AsArray().Select(r => r!.GetValue<string>()).Should().Equal("Orders.Read");
        json["appId"]!.GetValue<string>().Should().Be(ClientId);
        Service.TokenRequestCount.Should().Be(0, "a created token needs no token request");
    }

    [Fact]
    public void A_created_token_uses_the_configured_settings_of_a_registered_application_unless_given_others()
    {
        Service.ConfigureAccessTokens(Tenant, ClientId, new AccessTokenSettings { Roles = ["Orders.Read"], Lifetime = TimeSpan.FromMinutes(1) });

        var configured = new JsonWebToken(Service.CreateAccessToken(Tenant, ClientId, MyApi));
        var given = new JsonWebToken(Service.CreateAccessToken(Tenant, ClientId, MyApi, new AccessTokenSettings()));

        configured.Claims.Where(c => c.Type == "roles").Select(c => c.Value).Should().Equal("Orders.Read");
        configured.GetPayloadValue<long>("exp").Should().Be(Clock.GetUtcNow().ToUnixTimeSeconds() + 60);
        given.TryGetPayloadValue<object>("roles", out _).Should().BeFalse();
        given.GetPayloadValue<long>("exp").Should().Be(Clock.GetUtcNow().ToUnixTimeSeconds() + 3600);
    }

    [Fact]
    public async Task A_token_created_in_the_past_is_refused_as_expired()
    {
        await using var api = await LocalProtectedApi.StartAsync(Service, Tenant, MyApi);
        var token = Service.CreateAccessToken(Tenant, ClientId, MyApi, new AccessTokenSettings { Lifetime = TimeSpan.FromMinutes(5) },
            issuedAt: Clock.GetUtcNow().AddMinutes(-6));

        using var response = await GetHelloAsync(api, token);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        api.Requests.Single().TokenExpired.Should().BeTrue();
    }

    [Fact]
    public async Task A_token_for_an_unregistered_application_passes_validation_with_its_client_id()
    {
        await using var api = await LocalProtectedApi.StartAsync(Service, Tenant, MyApi);
        const string Stranger = "99999999-8888-7777-6666-555555555555";

        using var response = await GetHelloAsync(api, Service.CreateAccessToken(Tenant, Stranger, MyApi));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["appId"]!.GetValue<string>().Should().Be(Stranger);
    }

    private async Task<HttpResponseMessage> GetHelloAsync(LocalProtectedApi api, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(api.BaseAddress, "/hello"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await Http.SendAsync(request);
    }
}
