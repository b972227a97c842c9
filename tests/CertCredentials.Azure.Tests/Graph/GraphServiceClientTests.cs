using System.Text.Json.Nodes;
using CertCredentials.Azure.Tests.Infrastructure;
using CertCredentials.Testing;
using Microsoft.Graph;
using Microsoft.Graph.Authentication;
using Microsoft.Graph.Models;

namespace CertCredentials.Azure.Tests.Graph;

/// <summary>
/// The real GraphServiceClient (Microsoft.Graph 6.10.0, its own handlers and Azure.Core authentication provider) with
/// the adapter as its TokenCredential, against the Graph-shaped API on 127.0.0.1 over HTTPS.
/// </summary>
public sealed class GraphServiceClientTests : IAsyncLifetime
{
    private LocalEntra _entra = null!;
    private LocalGraphApi _api = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _entra = await LocalEntra.StartAsync();
        _api = await LocalGraphApi.StartAsync(_entra.Service, TestIdentity.TenantId);

        // Graph's own pipeline (retry, redirect, headers...) in front of a handler that trusts the API's certificate.
        _http = GraphClientFactory.Create(finalHandler: _api.CreateHttpMessageHandler());
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _api.DisposeAsync();
        await _entra.DisposeAsync();
    }

    [Fact]
    public async Task The_sdk_reads_the_organization_with_the_credentials_token()
    {
        using var client = Client(_entra.Credential());

        var organizations = await client.Organization.GetAsync();
        var byId = await client.Organization[TestIdentity.TenantId].GetAsync();

        var organization = organizations!.Value!.Should().ContainSingle().Subject;
        organization.Id.Should().Be(TestIdentity.TenantId);
        organization.DisplayName.Should().Be("Contoso");
        byId!.Id.Should().Be(TestIdentity.TenantId);
        var request = _entra.Service.Requests.Should().ContainSingle("the token is cached between the two calls").Which;
        request.Form["scope"].Should().Be(TestIdentity.GraphScope);
        request.Form["client_id"].Should().Be(TestIdentity.ClientId);
        _api.Requests.Should().HaveCount(2).And.OnlyContain(r => r.StatusCode == 200 && r.TokenValid);
    }

    [Fact]
    public async Task The_sdk_lists_the_users_and_pages_through_them_on_one_token()
    {
        using var client = Client(_entra.Credential());

        var users = await client.Users.GetAsync();
        var firstPage = await client.Users.GetAsync(r => r.QueryParameters.Top = 2);
        var names = new List<string>();
        await PageIterator<User, UserCollectionResponse>.CreatePageIterator(client, firstPage!, user =>
        {
            names.Add(user.DisplayName!);
            return true;
        }).IterateAsync();

        users!.Value!.Select(u => u.DisplayName).Should().Equal("Adele Vance", "Alex Wilber", "Megan Bowen");
        users.Value![0].UserPrincipalName.Should().Be("AdeleV@contoso.onmicrosoft.com");
        names.Should().Equal("Adele Vance", "Alex Wilber", "Megan Bowen");
        _entra.Service.TokenRequestCount.Should().Be(1);
        _api.Requests.Select(r => (r.Path, r.StatusCode)).Should().Equal(("/v1.0/users", 200), ("/v1.0/users", 200), ("/v1.0/users", 200));
    }

    [Fact]
    public async Task A_claims_challenge_is_answered_through_the_sdks_pipeline_with_a_new_token_for_those_claims()
    {
        var credential = _entra.Credential(o => o.EnableContinuousAccessEvaluation = true);
        using var client = Client(credential);
        var before = await client.Users.GetAsync();
        var revokedToken = (await credential.GetTokenAsync()).Token;
        _entra.Service.RevokeTokens(TestIdentity.ClientId);

        var after = await client.Users.GetAsync();
        var cached = await client.Organization.GetAsync();

        before!.Value.Should().HaveCount(3);
        after!.Value.Should().HaveCount(3, "the SDK retried once with the token the adapter got for the challenge's claims");
        cached!.Value.Should().ContainSingle();
        _api.Requests.Select(r => (r.StatusCode, r.Error)).Should().Equal((200, null), (401, "insufficient_claims"), (200, null), (200, null));
        var requests = _entra.Service.Requests;
        requests.Should().HaveCount(2, "one token for the challenge, which then serves from the cache");
        requests[0].Form["claims"].Should().Contain("cp1").And.NotContain("nbf");
        var asked = JsonNode.Parse(requests[1].Form["claims"])!["access_token"]!;
        asked["nbf"]!["essential"]!.GetValue<bool>().Should().BeTrue("the challenge's claims reach the token request");
        asked["xms_cc"]!["values"]!.AsArray().Select(v => v!.GetValue<string>()).Should().Contain("cp1");
        (await credential.GetTokenAsync()).Token.Should().NotBe(revokedToken, "the challenged token left the credential's cache");
    }

    [Fact]
    public async Task The_constructor_with_the_token_credential_alone_sends_tokens_to_graphs_hosts_only()
    {
        // Why the local API needs the provider with allowedHosts (the README and the sample say so): the SDK's
        // TokenCredential constructor allows Graph's own hosts, and for any other it asks for no token at all.
        using var client = new GraphServiceClient(_http, _entra.Credential().AsTokenCredential(), [TestIdentity.GraphScope], _api.ServiceRoot.AbsoluteUri);

        var refused = await FluentActions.Awaiting(() => client.Organization.GetAsync()).Should().ThrowAsync<Microsoft.Graph.Models.ODataErrors.ODataError>();

        refused.Which.ResponseStatusCode.Should().Be(401);
        _entra.Service.TokenRequestCount.Should().Be(0, "the adapter was not asked");
        _api.Requests.Should().ContainSingle().Which.HadAuthorization.Should().BeFalse();
    }

    /// <summary>
    /// The SDK's own Azure.Core provider; the only change from a production setup is the allowed host (Graph's
    /// hosts by default) and the base URL.
    /// </summary>
    private GraphServiceClient Client(CertificateClientCredential credential) =>
        new(_http, new AzureIdentityAuthenticationProvider(credential.AsTokenCredential(), allowedHosts: ["127.0.0.1"], observabilityOptions: null, isCaeEnabled: true, scopes: [TestIdentity.GraphScope]),
            _api.ServiceRoot.AbsoluteUri);
}
