using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Extensions.Time.Testing;

namespace CertCredentials.Testing.Tests.Infrastructure;

/// <summary>Starts a service on a fake clock, with one application registered for Graph and a custom API.</summary>
public abstract class TokenServiceTestBase : IAsyncLifetime
{
    protected const string Tenant = "7f3c2d1e-0b9a-4c8d-9e7f-6a5b4c3d2e1f";
    protected const string ClientId = "0d5e6f70-8192-4a3b-9c4d-5e6f70819203";
    protected const string Graph = "https://graph.microsoft.com";
    protected const string MyApi = "api://my-api";
    protected const string GraphScope = Graph + "/.default";

    protected FakeTimeProvider Clock { get; } = new(TestClock.Start);

    protected X509Certificate2 Certificate { get; } = TestCertificates.Shared;

    protected LocalTokenService Service { get; private set; } = null!;

    protected HttpClient Http { get; } = new();

    protected Uri Endpoint => Service.GetTokenEndpoint(Tenant);

    public virtual async Task InitializeAsync()
    {
        var options = new LocalTokenServiceOptions { TimeProvider = Clock };
        Configure(options);
        Service = await LocalTokenService.StartAsync(options);
        Service.RegisterApplication(Tenant, ClientId, Certificate, Graph, MyApi);
    }

    public virtual async Task DisposeAsync()
    {
        Http.Dispose();
        await Service.DisposeAsync();
    }

    protected virtual void Configure(LocalTokenServiceOptions options)
    {
    }

    protected string NewAssertion(string algorithm = SecurityAlgorithms.RsaSha256, bool legacyThumbprint = false, object? x5c = null) =>
        AssertionFactory.Create(Certificate, ClientId, Endpoint, Clock.GetUtcNow(), algorithm, legacyThumbprint, x5c);

    protected static Dictionary<string, string> Form(string assertion, string scope = GraphScope, string clientId = ClientId) => new()
    {
        ["grant_type"] = "client_credentials",
        ["client_id"] = clientId,
        ["scope"] = scope,
        ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ["client_assertion"] = assertion,
    };

    protected async Task<TokenAnswer> PostAsync(
        IDictionary<string, string> form,
        string tenant = Tenant,
        Action<HttpRequestMessage>? configure = null,
        HttpClient? client = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Service.GetTokenEndpoint(tenant))
        {
            Content = new FormUrlEncodedContent(form),
        };
        configure?.Invoke(request);
        using var response = await (client ?? Http).SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        JsonNode? json = null;
        try
        {
            json = body.Length > 0 ? JsonNode.Parse(body) : null;
        }
        catch (System.Text.Json.JsonException)
        {
        }

        return new TokenAnswer(
            response.StatusCode,
            body,
            json,
            response.Content.Headers.ContentType?.MediaType,
            response.Headers.ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase));
    }

    protected Task<TokenAnswer> RequestTokenAsync(string scope = GraphScope) => PostAsync(Form(NewAssertion(), scope));

    protected sealed record TokenAnswer(
        HttpStatusCode Status, string Body, JsonNode? Json, string? MediaType, IReadOnlyDictionary<string, string> Headers)
    {
        public string? Error => Json?["error"]?.GetValue<string>();

        public int[] ErrorCodes => Json?["error_codes"]?.AsArray().Select(n => n!.GetValue<int>()).ToArray() ?? [];

        public string AccessToken => Json!["access_token"]!.GetValue<string>();

        public void ShouldBeError(HttpStatusCode status, string error, int code)
        {
            Status.Should().Be(status, Body);
            Error.Should().Be(error, Body);
            ErrorCodes.Should().Equal([code], Body);
            Json!["error_description"]!.GetValue<string>().Should().StartWith($"AADSTS{code}: ");
        }
    }
}
