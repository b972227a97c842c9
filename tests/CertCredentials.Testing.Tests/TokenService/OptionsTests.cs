using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using CertCredentials.Testing.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.Extensions.Time.Testing;

namespace CertCredentials.Testing.Tests.TokenService;

public sealed class OptionsTests
{
    private const string Tenant = "contoso.onmicrosoft.com";
    private const string ClientId = "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d";
    private const string Graph = "https://graph.microsoft.com";

    [Fact]
    public async Task Writes_refresh_in_and_the_configured_lifetime()
    {
        await using var service = await LocalTokenService.StartAsync(new LocalTokenServiceOptions
        {
            AccessTokenLifetime = TimeSpan.FromMinutes(10),
            RefreshIn = TimeSpan.FromMinutes(5),
        });

        var json = await RequestAsync(service);

        json["expires_in"]!.GetValue<int>().Should().Be(599);
        json["ext_expires_in"]!.GetValue<int>().Should().Be(599);
        json["refresh_in"]!.GetValue<int>().Should().Be(300);
        var token = new JsonWebToken(json["access_token"]!.GetValue<string>());
        (token.ValidTo - token.IssuedAt).Should().Be(TimeSpan.FromMinutes(10));
    }

    [Fact]
    public async Task Writes_expires_in_as_a_string_when_asked()
    {
        await using var service = await LocalTokenService.StartAsync(new LocalTokenServiceOptions { ExpiresInAsString = true });

        var json = await RequestAsync(service);

        json["expires_in"]!.GetValue<string>().Should().Be("3599");
        json["ext_expires_in"]!.GetValue<string>().Should().Be("3599");
    }

    [Fact]
    public async Task Adds_the_response_delay_to_every_answer()
    {
        await using var service = await LocalTokenService.StartAsync(new LocalTokenServiceOptions { ResponseDelay = TimeSpan.FromMilliseconds(200) });
        var watch = Stopwatch.StartNew();

        await RequestAsync(service);

        watch.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(190));
    }

    [Fact]
    public async Task Uses_a_tighter_clock_skew_and_assertion_lifetime_when_configured()
    {
        var clock = new FakeTimeProvider(TestClock.Start);
        await using var service = await LocalTokenService.StartAsync(new LocalTokenServiceOptions
        {
            TimeProvider = clock,
            ClockSkew = TimeSpan.Zero,
            MaxAssertionLifetime = TimeSpan.FromMinutes(5),
        });
        var certificate = TestCertificates.Shared;
        service.RegisterApplication(Tenant, ClientId, certificate, Graph);
        using var http = new HttpClient();

        // AssertionFactory.Create makes 10-minute assertions: too long for this service.
        var assertion = AssertionFactory.Create(certificate, ClientId, service.GetTokenEndpoint(Tenant), clock.GetUtcNow());
        using var response = await http.PostAsync(service.GetTokenEndpoint(Tenant), new FormUrlEncodedContent(Form(assertion)));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await response.Content.ReadAsStringAsync()).Should().Contain("AADSTS700024");
    }

    [Fact]
    public async Task Serves_https_with_the_given_certificate()
    {
        using var httpsCertificate = LoopbackHttps.CreateCertificate();
        await using var service = await LocalTokenService.StartAsync(new LocalTokenServiceOptions { HttpsCertificate = httpsCertificate });
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.Thumbprint == httpsCertificate.Thumbprint,
        };
        using var http = new HttpClient(handler);

        var json = await RequestAsync(service, http);

        service.BaseAddress.Scheme.Should().Be("https");
        json["access_token"].Should().NotBeNull();
        service.Requests.Single().Assertion!.Audiences.Should().Equal(service.GetTokenEndpoint(Tenant).AbsoluteUri);
    }

    [Fact]
    public async Task Listens_on_the_requested_port_on_loopback_only()
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        await using var service = await LocalTokenService.StartAsync(new LocalTokenServiceOptions { Port = port });

        service.BaseAddress.Should().Be(new Uri($"http://127.0.0.1:{port}"));
    }

    [Fact]
    public async Task Keeps_only_the_latest_requests_but_counts_them_all()
    {
        await using var service = await LocalTokenService.StartAsync(new LocalTokenServiceOptions { MaxRecordedRequests = 2 });
        using var http = new HttpClient();

        for (var i = 0; i < 3; i++)
        {
            using var response = await http.PostAsync(service.GetTokenEndpoint($"tenant-{i}"), new FormUrlEncodedContent([]));
        }

        service.TokenRequestCount.Should().Be(3);
        service.Requests.Select(r => r.Tenant).Should().Equal("tenant-1", "tenant-2");
    }

    private static Dictionary<string, string> Form(string assertion) => new()
    {
        ["grant_type"] = "client_credentials",
        ["client_id"] = ClientId,
        ["scope"] = Graph + "/.default",
        ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ["client_assertion"] = assertion,
    };

    private static async Task<JsonNode> RequestAsync(LocalTokenService service, HttpClient? client = null)
    {
        var certificate = TestCertificates.Shared;
        service.RegisterApplication(Tenant, ClientId, certificate, Graph);
        var assertion = AssertionFactory.Create(certificate, ClientId, service.GetTokenEndpoint(Tenant), service.TimeProvider.GetUtcNow());
        using var owned = client is null ? new HttpClient() : null;
        using var response = await (client ?? owned!).PostAsync(service.GetTokenEndpoint(Tenant), new FormUrlEncodedContent(Form(assertion)));
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, body);
        return JsonNode.Parse(body)!;
    }
}
