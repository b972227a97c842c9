using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using CertCredentials.Testing.Tests.Infrastructure;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions.Authentication;

namespace CertCredentials.Testing.Tests.Graph;

/// <summary>The real GraphServiceClient (Microsoft.Graph 6.10.0, its own pipeline) against the Graph-shaped API.</summary>
public sealed class GraphApiTests : TokenServiceTestBase
{
    private LocalGraphApi _api = null!;
    private HttpClient _graphHttp = null!;
    private HttpClient _rawHttp = null!;
    private LocalTokenProvider _tokens = null!;
    private GraphServiceClient _client = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await StartApiAsync(new LocalGraphApiOptions());
    }

    public override async Task DisposeAsync()
    {
        await StopApiAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task The_sdk_reads_the_organization_of_the_tenant()
    {
        var organizations = await _client.Organization.GetAsync();

        var organization = organizations!.Value!.Should().ContainSingle().Subject;
        organization.Id.Should().Be(Tenant).And.Be(_api.OrganizationId);
        organization.DisplayName.Should().Be("Contoso");
        organization.TenantType.Should().Be("AAD");
        organization.VerifiedDomains!.Should().ContainSingle().Which.Should().Match<VerifiedDomain>(
            d => d.Name == "contoso.onmicrosoft.com" && d.IsDefault == true && d.IsInitial == true && d.Type == "Managed");
        organization.BusinessPhones.Should().BeEmpty();
        organizations.AdditionalData["@odata.context"].Should().Be($"{_api.ServiceRoot.AbsoluteUri}/$metadata#organization");
        var organizationById = await _client.Organization[Tenant].GetAsync();
        organizationById!.DisplayName.Should().Be("Contoso");
    }

    [Fact]
    public async Task The_sdk_lists_the_sample_users_with_their_default_properties()
    {
        var users = await _client.Users.GetAsync();

        users!.Value!.Select(u => u.DisplayName).Should().Equal("Adele Vance", "Alex Wilber", "Megan Bowen");
        var adele = users.Value![0];
        adele.Id.Should().Be("87d349ed-44d7-43e1-9a83-5f2406dee5bd");
        adele.UserPrincipalName.Should().Be("AdeleV@contoso.onmicrosoft.com");
        adele.Mail.Should().Be("AdeleV@contoso.onmicrosoft.com");
        adele.GivenName.Should().Be("Adele");
        adele.Surname.Should().Be("Vance");
        adele.JobTitle.Should().Be("Retail Manager");
        adele.BusinessPhones.Should().Equal("+1 425 555 0109");
        adele.MobilePhone.Should().BeNull();
        users.OdataNextLink.Should().BeNull();
        _api.Requests.Should().ContainSingle().Which.Should().Match<RecordedApiRequest>(
            r => r.Method == "GET" && r.Path == "/v1.0/users" && r.StatusCode == 200 && r.TokenValid);
    }

    [Fact]
    public async Task The_sdk_finds_a_user_by_id_or_user_principal_name_and_gets_graphs_404_otherwise()
    {
        var byId = await _client.Users["6e7b768e-07e2-4810-8459-485f84f8f204"].GetAsync();
        var byName = await _client.Users["meganb@contoso.onmicrosoft.com"].GetAsync();
        var missing = () => _client.Users["nobody@contoso.onmicrosoft.com"].GetAsync();

        byId!.DisplayName.Should().Be("Alex Wilber");
        byId.AdditionalData["@odata.context"].Should().Be($"{_api.ServiceRoot.AbsoluteUri}/$metadata#users/$entity");
        byName!.DisplayName.Should().Be("Megan Bowen");
        var error = (await missing.Should().ThrowAsync<ODataError>()).Which;
        error.ResponseStatusCode.Should().Be(404);
        error.Error!.Code.Should().Be("Request_ResourceNotFound");
        error.Error.Message.Should().Contain("nobody@contoso.onmicrosoft.com");
        error.Error.InnerError!.RequestId.Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task The_page_iterator_follows_next_links_through_every_user()
    {
        var first = await _client.Users.GetAsync(r => r.QueryParameters.Top = 2);
        var names = new List<string>();
        var iterator = PageIterator<User, UserCollectionResponse>.CreatePageIterator(_client, first!, user =>
        {
            names.Add(user.DisplayName!);
            return true;
        });

        await iterator.IterateAsync();

        first!.Value.Should().HaveCount(2);
        first.OdataNextLink.Should().StartWith($"{_api.ServiceRoot.AbsoluteUri}/users?$top=2&$skiptoken=");
        names.Should().Equal("Adele Vance", "Alex Wilber", "Megan Bowen");
        _api.Requests.Should().HaveCount(2).And.OnlyContain(r => r.StatusCode == 200);
    }

    [Fact]
    public async Task Select_returns_only_the_selected_properties()
    {
        var users = await _client.Users.GetAsync(r => r.QueryParameters.Select = ["displayName", "id"]);
        var raw = await GetRawAsync("/v1.0/users?$select=displayName,id&$top=1");

        users!.Value!.Should().HaveCount(3).And.OnlyContain(u => u.DisplayName != null && u.Id != null && u.Mail == null);
        raw.Json!["@odata.context"]!.GetValue<string>().Should().Be($"{_api.ServiceRoot.AbsoluteUri}/$metadata#users(displayName,id)");
        raw.Json["@odata.nextLink"]!.GetValue<string>().Should().Contain("$select=displayName%2Cid");
        raw.Json["value"]![0]!.AsObject().Select(p => p.Key).Should().Equal("displayName", "id");
    }

    [Fact]
    public async Task Query_options_it_does_not_implement_are_refused_rather_than_ignored()
    {
        var filter = () => _client.Users.GetAsync(r => r.QueryParameters.Filter = "startswith(displayName,'A')");
        var unknownProperty = () => _client.Users.GetAsync(r => r.QueryParameters.Select = ["accountEnabled"]);
        var badTop = await GetRawAsync("/v1.0/users?$top=1000");

        var filterError = (await filter.Should().ThrowAsync<ODataError>()).Which;
        filterError.ResponseStatusCode.Should().Be(400);
        filterError.Error!.Code.Should().Be("Request_UnsupportedQuery");
        filterError.Error.Message.Should().Contain("$filter");
        (await unknownProperty.Should().ThrowAsync<ODataError>()).Which.Error!.Message.Should().Contain("'accountEnabled'");
        badTop.Status.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Answers_have_graphs_content_type_request_ids_and_error_shape()
    {
        var users = await GetRawAsync("/v1.0/users", clientRequestId: "11111111-aaaa-bbbb-cccc-222222222222");
        var unknown = await GetRawAsync("/v1.0/groups");
        var version = await GetRawAsync("/v2.0/users");
        using var post = new HttpRequestMessage(HttpMethod.Post, new Uri(_api.BaseAddress, "/v1.0/users"));
        post.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await RequestTokenWithClaimsAsync(null));
        using var posted = await _rawHttp.SendAsync(post);

        users.ContentType.Should().StartWith("application/json;").And.Contain("odata.metadata=minimal").And.Contain("charset=utf-8");
        users.Headers["client-request-id"].Should().Be("11111111-aaaa-bbbb-cccc-222222222222");
        users.Headers["request-id"].Should().NotBeNullOrEmpty();
        users.Json!["value"]!.AsArray().Should().HaveCount(3);
        unknown.Status.Should().Be(HttpStatusCode.BadRequest);
        unknown.Json!["error"]!["code"]!.GetValue<string>().Should().Be("BadRequest");
        unknown.Json["error"]!["message"]!.GetValue<string>().Should().Be("Resource not found for the segment 'groups'.");
        unknown.Json["error"]!["innerError"]!["request-id"]!.GetValue<string>().Should().Be(unknown.Headers["request-id"]);
        unknown.Json["error"]!["innerError"]!["date"]!.GetValue<string>().Should().Be(Clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture));
        version.Json!["error"]!["message"]!.GetValue<string>().Should().Be("Invalid version: v2.0");
        posted.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task A_missing_invalid_or_expired_token_gets_401_InvalidAuthenticationToken()
    {
        var missing = await GetRawAsync("/v1.0/users", token: string.Empty);
        var expiredToken = Service.CreateAccessToken(Tenant, ClientId, Graph, issuedAt: Clock.GetUtcNow().AddHours(-2));
        var expired = await GetRawAsync("/v1.0/users", token: expiredToken);
        var otherAudience = await GetRawAsync("/v1.0/users", token: Service.CreateAccessToken(Tenant, ClientId, MyApi));
        _tokens.FixedToken = "not-a-token";
        var viaSdk = () => _client.Users.GetAsync();

        missing.Status.Should().Be(HttpStatusCode.Unauthorized);
        missing.Json!["error"]!["code"]!.GetValue<string>().Should().Be("InvalidAuthenticationToken");
        missing.Json["error"]!["message"]!.GetValue<string>().Should().Be("Access token is empty.");
        missing.Headers["WWW-Authenticate"].Should().StartWith("Bearer realm=\"\", authorization_uri=\"")
            .And.Contain("client_id=\"00000003-0000-0000-c000-000000000000\"").And.Contain("error=\"invalid_token\"");
        expired.Json!["error"]!["message"]!.GetValue<string>().Should().Be("Lifetime validation failed, the token is expired.");
        otherAudience.Status.Should().Be(HttpStatusCode.Unauthorized);
        otherAudience.Json!["error"]!["message"]!.GetValue<string>().Should().StartWith("Access token validation failure.");
        var error = (await viaSdk.Should().ThrowAsync<ODataError>()).Which;
        error.ResponseStatusCode.Should().Be(401);
        error.Error!.Code.Should().Be("InvalidAuthenticationToken");
        _api.Requests.Select(r => r.Error).Should().AllBe("invalid_token");
        _api.Requests.Select(r => r.TokenExpired).Should().Equal(false, true, false, false);
    }

    [Fact]
    public async Task A_revoked_token_gets_a_claims_challenge_that_the_sdk_answers_with_a_new_token()
    {
        var before = await _client.Users.GetAsync();
        Service.RevokeTokens(ClientId);   // the provider keeps its token, as a real credential's cache does
        Clock.Advance(TimeSpan.FromSeconds(1));

        var after = await _client.Users.GetAsync();

        before!.Value.Should().HaveCount(3);
        after!.Value.Should().HaveCount(3);
        _api.Requests.Select(r => (r.StatusCode, r.Error)).Should().Equal((200, null), (401, "insufficient_claims"), (200, null));
        _tokens.ClaimsAsked.Should().HaveCount(2);
        _tokens.ClaimsAsked[0].Should().BeNull();
        var asked = JsonNode.Parse(_tokens.ClaimsAsked[1]!)!;
        asked["access_token"]!["nbf"]!["essential"]!.GetValue<bool>().Should().BeTrue();
        long.Parse(asked["access_token"]!["nbf"]!["value"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)
            .Should().Be(Clock.GetUtcNow().AddSeconds(-1).ToUnixTimeSeconds());
    }

    [Fact]
    public async Task The_claims_challenge_has_graphs_header_and_body()
    {
        var token = await RequestTokenWithClaimsAsync("""{"access_token":{"xms_cc":{"values":["cp1"]}}}""");
        Service.RevokeTokens(ClientId);

        var challenged = await GetRawAsync("/v1.0/organization", token: token);

        challenged.Status.Should().Be(HttpStatusCode.Unauthorized);
        challenged.Headers["WWW-Authenticate"].Should().StartWith("Bearer realm=\"\", authorization_uri=\"")
            .And.Contain("error=\"insufficient_claims\", claims=\"");
        challenged.Json!["error"]!["code"]!.GetValue<string>().Should().Be("InvalidAuthenticationToken");
        challenged.Json["error"]!["message"]!.GetValue<string>().Should().Contain("TokenIssuedBeforeRevocationTimestamp");
    }

    [Fact]
    public async Task Rejects_valid_tokens_when_told_to()
    {
        _api.RejectNextWithInvalidToken(1);

        var rejected = () => _client.Users.GetAsync();
        (await rejected.Should().ThrowAsync<ODataError>()).Which.ResponseStatusCode.Should().Be(401);
        var accepted = await _client.Users.GetAsync();

        accepted!.Value.Should().HaveCount(3);
        _api.Requests.Select(r => (r.StatusCode, r.TokenValid)).Should().Equal((401, true), (200, true));
    }

    [Fact]
    public async Task With_permissions_required_a_token_needs_a_role_graph_accepts_for_the_read()
    {
        await RestartApiAsync(new LocalGraphApiOptions { RequireApplicationPermissions = true });
        var withoutRoles = () => _client.Users.GetAsync();
        var denied = (await withoutRoles.Should().ThrowAsync<ODataError>()).Which;
        Service.ConfigureAccessTokens(Tenant, ClientId, new AccessTokenSettings { Roles = ["User.Read.All"] });
        _tokens = NewTokenProvider();
        _client = new GraphServiceClient(_graphHttp, new BaseBearerTokenAuthenticationProvider(_tokens), _api.ServiceRoot.AbsoluteUri);

        var users = await _client.Users.GetAsync();
        var organization = () => _client.Organization.GetAsync();

        denied.ResponseStatusCode.Should().Be(403);
        denied.Error!.Code.Should().Be("Authorization_RequestDenied");
        denied.Error.Message.Should().Be("Insufficient privileges to complete the operation.");
        users!.Value.Should().HaveCount(3);
        (await organization.Should().ThrowAsync<ODataError>()).Which.ResponseStatusCode.Should().Be(403);
    }

    [Fact]
    public async Task Serves_the_users_and_domain_given_and_a_stable_id_for_a_tenant_named_by_domain()
    {
        const string DomainTenant = "fabrikam.onmicrosoft.com";
        Service.RegisterApplication(DomainTenant, ClientId, Certificate, Graph);
        var options = new LocalGraphApiOptions
        {
            OrganizationDisplayName = "Fabrikam",
            Users = [new LocalGraphUser { DisplayName = "Test User", UserPrincipalName = "test@fabrikam.onmicrosoft.com" }],
        };
        await using var api = await LocalGraphApi.StartAsync(Service, DomainTenant, options);
        await using var again = await LocalGraphApi.StartAsync(Service, DomainTenant, options);
        var token = Service.CreateAccessToken(DomainTenant, ClientId, Graph);

        var organization = await GetRawAsync("/v1.0/organization", token: token, api: api);
        var users = await GetRawAsync("/v1.0/users", token: token, api: api);

        var value = organization.Json!["value"]![0]!;
        value["displayName"]!.GetValue<string>().Should().Be("Fabrikam");
        value["verifiedDomains"]![0]!["name"]!.GetValue<string>().Should().Be(DomainTenant);
        value["id"]!.GetValue<string>().Should().Be(api.OrganizationId).And.Be(again.OrganizationId);
        Guid.TryParse(api.OrganizationId, out _).Should().BeTrue();
        var user = users.Json!["value"]!.AsArray().Should().ContainSingle().Subject!;
        user["displayName"]!.GetValue<string>().Should().Be("Test User");
        user["jobTitle"].Should().BeNull();
        user.AsObject().ContainsKey("jobTitle").Should().BeTrue("Graph answers unset default properties as null");
        Guid.TryParse(user["id"]!.GetValue<string>(), out _).Should().BeTrue();
    }

    [Fact]
    public async Task Tokens_of_another_tenant_are_refused()
    {
        Service.RegisterApplication("other-tenant", ClientId, Certificate, Graph);

        var answer = await GetRawAsync("/v1.0/users", token: Service.CreateAccessToken("other-tenant", ClientId, Graph));

        answer.Status.Should().Be(HttpStatusCode.Unauthorized);
    }

    private async Task StartApiAsync(LocalGraphApiOptions options)
    {
        _api = await LocalGraphApi.StartAsync(Service, Tenant, options);
        // Graph's own pipeline (retry, redirect, headers...) in front of a handler that trusts the API's certificate.
        _graphHttp = GraphClientFactory.Create(finalHandler: _api.CreateHttpMessageHandler());
        _rawHttp = new HttpClient(_api.CreateHttpMessageHandler());
        _tokens = NewTokenProvider();
        _client = new GraphServiceClient(_graphHttp, new BaseBearerTokenAuthenticationProvider(_tokens), _api.ServiceRoot.AbsoluteUri);
    }

    private async Task StopApiAsync()
    {
        _client.Dispose();
        _graphHttp.Dispose();
        _rawHttp.Dispose();
        await _api.DisposeAsync();
    }

    private async Task RestartApiAsync(LocalGraphApiOptions options)
    {
        await StopApiAsync();
        await StartApiAsync(options);
    }

    private LocalTokenProvider NewTokenProvider() => new(claims => RequestTokenWithClaimsAsync(claims));

    private async Task<string> RequestTokenWithClaimsAsync(string? claims)
    {
        var form = Form(NewAssertion());
        if (claims is not null)
        {
            form["claims"] = claims;
        }

        var answer = await PostAsync(form);
        answer.Status.Should().Be(HttpStatusCode.OK, answer.Body);
        return answer.AccessToken;
    }

    private async Task<RawAnswer> GetRawAsync(string pathAndQuery, string? token = null, string? clientRequestId = null, LocalGraphApi? api = null)
    {
        api ??= _api;
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(api.BaseAddress, pathAndQuery));
        token ??= await RequestTokenWithClaimsAsync(null);
        if (token.Length > 0)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (clientRequestId is not null)
        {
            request.Headers.Add("client-request-id", clientRequestId);
        }

        using var http = api == _api ? null : new HttpClient(api.CreateHttpMessageHandler());
        using var response = await (http ?? _rawHttp).SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return new RawAnswer(
            response.StatusCode,
            body.Length > 0 ? JsonNode.Parse(body) : null,
            response.Content.Headers.NonValidated.TryGetValues("Content-Type", out var contentType) ? contentType.ToString() : string.Empty,
            response.Headers.ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase));
    }

    private sealed record RawAnswer(HttpStatusCode Status, JsonNode? Json, string ContentType, IReadOnlyDictionary<string, string> Headers);
}
