using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertCredentials;
using CertCredentials.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace MyApp.Tests;

public sealed class OrdersClientTests : IAsyncLifetime
{
    private const string TenantId = "contoso.onmicrosoft.com";
    private const string ClientId = "11111111-2222-3333-4444-555555555555";
    private const string Resource = "api://orders";

    private readonly RSA _key = RSA.Create(2048);
    private X509Certificate2 _certificate = null!;
    private LocalTokenService _entra = null!;
    private LocalProtectedApi _api = null!;

    public async Task InitializeAsync()
    {
        _certificate = new CertificateRequest("CN=my-app", _key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        _entra = await LocalTokenService.StartAsync();                  // http://127.0.0.1:<free port>
        _entra.RegisterApplication(TenantId, ClientId, _certificate, Resource);
        _entra.ConfigureAccessTokens(TenantId, ClientId, new AccessTokenSettings { Roles = ["Orders.Read"] });
        _api = await LocalProtectedApi.StartAsync(_entra, TenantId, Resource);
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _entra.DisposeAsync();
        _certificate.Dispose();
        _key.Dispose();
    }

    // What Program.cs registers, pointed at the local token service instead of login.microsoftonline.com.
    private ServiceProvider CreateServices()
    {
        var services = new ServiceCollection();
        services.AddCertificateClientCredential(o =>
        {
            o.TenantId = TenantId;
            o.ClientId = ClientId;
            o.Scope = Resource + "/.default";
            o.PrivateKey = _key.ExportPkcs8PrivateKeyPem();
            o.Certificate = _certificate.ExportCertificatePem();
            o.TokenEndpoint = _entra.GetTokenEndpoint(TenantId);
        });
        services.AddHttpClient("orders", c => c.BaseAddress = _api.BaseAddress).AddCertificateClientCredentialHandler();
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task Calls_the_api_with_one_token_request()
    {
        using var services = CreateServices();
        var orders = services.GetRequiredService<IHttpClientFactory>().CreateClient("orders");

        for (var i = 0; i < 3; i++)
        {
            using var response = await orders.GetAsync("hello");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var request = Assert.Single(_entra.Requests);                  // one token, then the cache
        Assert.Equal(ClientId, request.Form["client_id"]);
        Assert.Equal("api://orders/.default", request.Form["scope"]);
        Assert.Equal(3, _api.Requests.Count(r => r.TokenValid));
    }

    [Fact]
    public async Task Retries_a_throttled_token_endpoint()
    {
        _entra.EnqueueFault(new TokenFault { StatusCode = 429, RetryAfter = "0" });
        using var services = CreateServices();

        var token = await services.GetRequiredService<CertificateClientCredential>().GetTokenAsync();

        Assert.False(string.IsNullOrEmpty(token.Token));
        Assert.Equal(new[] { 429, 200 }, _entra.Requests.Select(r => r.StatusCode));
    }

    [Fact]
    public async Task Explains_a_certificate_removed_from_the_app_registration()
    {
        _entra.RemoveCertificate(TenantId, ClientId, _certificate);
        using var services = CreateServices();
        var credential = services.GetRequiredService<CertificateClientCredential>();

        var error = await Assert.ThrowsAsync<TokenEndpointException>(() => credential.GetTokenAsync().AsTask());

        Assert.Contains(700027, error.ErrorCodes);                     // no registered certificate verifies the signature
    }
}
