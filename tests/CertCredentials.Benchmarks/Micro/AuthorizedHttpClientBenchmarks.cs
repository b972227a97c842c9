using System.Net;
using System.Net.Http.Headers;
using Azure.Identity;
using BenchmarkDotNet.Attributes;
using CertCredentials.Benchmarks.Infrastructure;
using CertCredentials.DependencyInjection;
using CertCredentials.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Identity.Client;
using Microsoft.Identity.Web;
using AzureTokenRequestContext = Azure.Core.TokenRequestContext;

namespace CertCredentials.Benchmarks.Micro;

/// <summary>
/// A GET through an HttpClient from IHttpClientFactory. Baseline: a client from the same factory with a fixed
/// <c>Authorization</c> header (DefaultRequestHeaders) and no handler of any library, the least any bearer scheme can
/// cost. CertCredentials: <c>AddCertificateClientCredentialHandler()</c>. Identity.Web: its own handler,
/// <c>AddMicrosoftIdentityMessageHandler</c> with <c>RequestAppToken</c>. MSAL and Azure.Identity have no handler of
/// their own, so they get the one everybody writes: a DelegatingHandler that asks for the token on every request.
/// Two APIs: the real loopback protected API (Kestrel on http://127.0.0.1, which validates every token) and an
/// in-process handler that answers 200 at once, where only the client side is left and any overhead shows.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("http")]
public class AuthorizedHttpClientBenchmarks
{
    private static readonly string[] Scopes = [Identities.Scope];

    private LoopbackEndpoint _endpoint = null!;
    private LocalProtectedApi _api = null!;
    private ServiceProvider _services = null!;
    private HttpClient _fixed = null!;
    private HttpClient _ours = null!;
    private HttpClient _msal = null!;
    private HttpClient _azure = null!;
    private HttpClient _identityWeb = null!;
    private Uri _hello = null!;

    /// <summary>Where the request goes.</summary>
    [Params("loopback API", "in-process")]
    public string Api { get; set; } = "loopback API";

    [GlobalSetup]
    public void Setup()
    {
        _endpoint = LoopbackEndpoint.StartAsync(TimeSpan.Zero).GetAwaiter().GetResult();
        _api = LocalProtectedApi.StartAsync(_endpoint.Service, Identities.Tenant, Identities.Resource).GetAwaiter().GetResult();
        var inProcess = Api == "in-process";
        _hello = inProcess ? new Uri("https://api.example/hello") : new Uri(_api.BaseAddress, "/hello");
        var tokenEndpoint = new Uri(_endpoint.AuthorityHost, $"{Identities.Tenant}/oauth2/v2.0/token");

        var services = new ServiceCollection();
        services.AddCertificateClientCredential(o =>
        {
            o.TenantId = Identities.Tenant;
            o.ClientId = Identities.ClientId;
            o.Scope = Identities.Scope;
            o.PrivateKey = Identities.KeyPem;
            o.Certificate = Identities.CertificatePem;
            o.TokenEndpoint = tokenEndpoint;
        });
        services.AddHttpClient(CredentialRegistry.TokenEndpointClientName)
            .ConfigurePrimaryHttpMessageHandler(() => Clients.LoopbackHandler(_endpoint.HttpsCertificate));
        var msalApp = Clients.CreateMsal(_endpoint.AuthorityHost, Identities.Tenant, _endpoint.CreateHttpClient());
        var azureCredential = Clients.CreateAzureIdentity(_endpoint.AuthorityHost, Identities.Tenant, _endpoint.CreateHttpClient());

        HttpMessageHandler Primary() => inProcess ? new AlwaysOk() : new SocketsHttpHandler { AllowAutoRedirect = false };
        services.AddHttpClient("fixed").ConfigurePrimaryHttpMessageHandler(Primary);
        services.AddHttpClient("ours").ConfigurePrimaryHttpMessageHandler(Primary).AddCertificateClientCredentialHandler();
        services.AddHttpClient("msal").ConfigurePrimaryHttpMessageHandler(Primary).AddHttpMessageHandler(() => new TokenPerRequestHandler(async ct =>
            (await msalApp.AcquireTokenForClient(Scopes).ExecuteAsync(ct)).AccessToken));
        services.AddHttpClient("azure").ConfigurePrimaryHttpMessageHandler(Primary).AddHttpMessageHandler(() => new TokenPerRequestHandler(async ct =>
            (await azureCredential.GetTokenAsync(new AzureTokenRequestContext(Scopes), ct)).Token));
        services.AddIdentityWeb(_endpoint.AuthorityHost, () => Clients.LoopbackHandler(_endpoint.HttpsCertificate));
        services.AddHttpClient("identityweb").ConfigurePrimaryHttpMessageHandler(Primary).AddMicrosoftIdentityMessageHandler(o =>
        {
            o.Scopes.Add(Identities.Scope);
            o.RequestAppToken = true;
        });
        _services = services.BuildServiceProvider();

        var factory = _services.GetRequiredService<IHttpClientFactory>();
        var credential = _services.GetRequiredService<CertificateClientCredential>();
        var token = credential.GetTokenAsync().AsTask().GetAwaiter().GetResult().Token;
        _fixed = factory.CreateClient("fixed");
        _fixed.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        _ours = factory.CreateClient("ours");
        _msal = factory.CreateClient("msal");
        _azure = factory.CreateClient("azure");
        _identityWeb = factory.CreateClient("identityweb");

        // Every client must be accepted by the API (the loopback one validates the token), twice (the second from cache).
        var before = _endpoint.TokenRequestCount;
        for (var i = 0; i < 2; i++)
        {
            Check.That(FixedHeader().GetAwaiter().GetResult() == HttpStatusCode.OK, "fixed header refused");
            Check.That(CertCredentials().GetAwaiter().GetResult() == HttpStatusCode.OK, "CertCredentials handler refused");
            Check.That(Msal().GetAwaiter().GetResult() == HttpStatusCode.OK, "MSAL handler refused");
            Check.That(AzureIdentity().GetAwaiter().GetResult() == HttpStatusCode.OK, "Azure.Identity handler refused");
            Check.That(IdentityWebHandler().GetAwaiter().GetResult() == HttpStatusCode.OK, "Identity.Web handler refused");
        }

        Check.That(_endpoint.TokenRequestCount - before == 3, $"authorized HttpClient setup: {_endpoint.TokenRequestCount - before} token requests after the first token (MSAL, Azure.Identity and Identity.Web one each expected)");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        _api.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _endpoint.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, Description = "fixed header, same factory (no library)")]
    public Task<HttpStatusCode> FixedHeader() => GetAsync(_fixed);

    [Benchmark(Description = "CertCredentials AddCertificateClientCredentialHandler")]
    public Task<HttpStatusCode> CertCredentials() => GetAsync(_ours);

    [Benchmark(Description = "MSAL in a DelegatingHandler")]
    public Task<HttpStatusCode> Msal() => GetAsync(_msal);

    [Benchmark(Description = "Azure.Identity in a DelegatingHandler")]
    public Task<HttpStatusCode> AzureIdentity() => GetAsync(_azure);

    [Benchmark(Description = "Identity.Web AddMicrosoftIdentityMessageHandler")]
    public Task<HttpStatusCode> IdentityWebHandler() => GetAsync(_identityWeb);

    private async Task<HttpStatusCode> GetAsync(HttpClient client)
    {
        using var response = await client.GetAsync(_hello, HttpCompletionOption.ResponseContentRead);
        return response.StatusCode;
    }

    /// <summary>The usual hand-written bearer handler: ask the library for the token on every request.</summary>
    private sealed class TokenPerRequestHandler(Func<CancellationToken, Task<string>> getToken) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await getToken(cancellationToken));
            return await base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>An API that answers 200 with a small JSON body at once, in process.</summary>
    private sealed class AlwaysOk : HttpMessageHandler
    {
        private static readonly byte[] Body = "{\"message\":\"hello\"}"u8.ToArray();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(request.Headers.Authorization is null ? HttpStatusCode.Unauthorized : HttpStatusCode.OK)
            {
                Content = new ByteArrayContent(Body),
                RequestMessage = request,
            });
    }
}
