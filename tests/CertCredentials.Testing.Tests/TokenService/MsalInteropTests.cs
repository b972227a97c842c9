using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using CertCredentials.Testing.Tests.Infrastructure;
using Microsoft.Identity.Client;
using Microsoft.IdentityModel.JsonWebTokens;

namespace CertCredentials.Testing.Tests.TokenService;

/// <summary>MSAL.NET, Microsoft's own client, against the service: what it sends must pass, as it does with Entra.</summary>
public sealed class MsalInteropTests : IAsyncLifetime
{
    private const string Tenant = "3e1d2c4b-5a69-4788-9a0b-1c2d3e4f5a6b";
    private const string ClientId = "9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
    private const string Graph = "https://graph.microsoft.com";

    private readonly X509Certificate2 _httpsCertificate = LoopbackHttps.CreateCertificate();
    private HttpClientHandler _handler = null!;
    private HttpClient _http = null!;
    private LocalTokenService _service = null!;
    private LocalProtectedApi _api = null!;

    public async Task InitializeAsync()
    {
        _handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.Thumbprint == _httpsCertificate.Thumbprint,
        };
        _http = new HttpClient(_handler);
        _service = await LocalTokenService.StartAsync(new LocalTokenServiceOptions { HttpsCertificate = _httpsCertificate });
        _service.RegisterApplication(Tenant, ClientId, TestCertificates.Shared, Graph);
        _api = await LocalProtectedApi.StartAsync(_service, Tenant, Graph);
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _service.DisposeAsync();
        _http.Dispose();
        _handler.Dispose();
        _httpsCertificate.Dispose();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Msal_gets_a_token_with_its_certificate_assertion(bool sendX5C)
    {
        var app = CreateApp(sendX5C);

        var result = await app.AcquireTokenForClient([Graph + "/.default"]).ExecuteAsync();

        result.AccessToken.Should().NotBeNullOrEmpty();
        var request = _service.Requests.Single();
        request.StatusCode.Should().Be(200);
        request.Assertion!.Audiences.Should().Equal(_service.GetTokenEndpoint(Tenant).AbsoluteUri);
        new JsonWebToken(result.AccessToken).GetPayloadValue<string>("appid").Should().Be(ClientId);
    }

    [Fact]
    public async Task Msal_answers_the_cae_challenge_of_the_protected_api()
    {
        var app = CreateApp(sendX5C: false, capable: true);
        string[] scopes = [Graph + "/.default"];
        var first = await app.AcquireTokenForClient(scopes).ExecuteAsync();
        _service.RevokeTokens(ClientId);

        using var challenged = await CallHelloAsync(first.AccessToken);
        challenged.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var claims = WwwAuthenticateParameters.GetClaimChallengeFromResponseHeaders(challenged.Headers);
        claims.Should().Contain("\"nbf\"");

        var second = await app.AcquireTokenForClient(scopes).WithClaims(claims).ExecuteAsync();
        using var accepted = await CallHelloAsync(second.AccessToken);

        accepted.StatusCode.Should().Be(HttpStatusCode.OK);
        _service.Requests[^1].Form["claims"].Should().Contain("cp1").And.Contain("nbf");
    }

    private IConfidentialClientApplication CreateApp(bool sendX5C, bool capable = false)
    {
        var builder = ConfidentialClientApplicationBuilder.Create(ClientId)
            .WithAuthority(new Uri(_service.BaseAddress, Tenant).AbsoluteUri, validateAuthority: false)
            .WithInstanceDiscovery(false)
            .WithCertificate(TestCertificates.Shared, sendX5C)
            .WithHttpClientFactory(new FixedHttpClientFactory(_http));
        if (capable)
        {
            builder = builder.WithClientCapabilities(["cp1"]);
        }

        return builder.Build();
    }

    private async Task<HttpResponseMessage> CallHelloAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_api.BaseAddress, "/hello"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await _http.SendAsync(request);
    }

    private sealed class FixedHttpClientFactory(HttpClient client) : IMsalHttpClientFactory
    {
        public HttpClient GetHttpClient() => client;
    }
}
