using Azure.Identity;
using BenchmarkDotNet.Attributes;
using CertCredentials.Benchmarks.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Identity.Abstractions;
using Microsoft.Identity.Client;
using AzureAccessToken = Azure.Core.AccessToken;
using AzureTokenRequestContext = Azure.Core.TokenRequestContext;

namespace CertCredentials.Benchmarks.Micro;

/// <summary>
/// A token already in the cache, one credential: what every outgoing call of a service pays. Each library returns its
/// own awaitable; all complete synchronously here (Identity.Web returns the header, "Bearer " and the token). MSAL is the baseline (Ratio = time / MSAL's).
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("cached")]
public class CachedTokenBenchmarks
{
    private static readonly string[] Scopes = [Identities.Scope];
    private static readonly AzureTokenRequestContext AzureContext = new(Scopes);

    private InProcessTokenEndpoint _endpoint = null!;
    private HttpClient _http = null!;
    private CertificateClientCredential _ours = null!;
    private IConfidentialClientApplication _msal = null!;
    private ClientCertificateCredential _azure = null!;
    private ServiceProvider _identityWebServices = null!;
    private IAuthorizationHeaderProvider _identityWeb = null!;

    [GlobalSetup]
    public void Setup()
    {
        _endpoint = new InProcessTokenEndpoint();
        _http = new HttpClient(_endpoint);
        _ours = Clients.CreateCertCredential(Clients.EntraHost, Identities.Tenant, Identities.Scope, _http);
        _msal = Clients.CreateMsal(Clients.EntraHost, Identities.Tenant, _http);
        _azure = Clients.CreateAzureIdentity(Clients.EntraHost, Identities.Tenant, _http);
        var endpoint = _endpoint;
        _identityWebServices = IdentityWeb.Create(Clients.EntraHost, () => new NonDisposingHandler(endpoint));
        _identityWeb = _identityWebServices.GetRequiredService<IAuthorizationHeaderProvider>();

        // Warm each cache, then prove the measured calls never reach the endpoint.
        var first = Tokens();
        var requests = _endpoint.TokenRequests;
        var second = Tokens();
        Check.That(requests == 4 && _endpoint.TokenRequests == 4 && first == second, $"cached-token setup: {requests} then {_endpoint.TokenRequests} token requests, same tokens: {first == second}");
    }

    private (string, string, string, string) Tokens() => (
        CertCredentials().AsTask().GetAwaiter().GetResult().Token,
        Msal().GetAwaiter().GetResult().AccessToken,
        AzureIdentity().AsTask().GetAwaiter().GetResult().Token,
        IdentityWeb.TokenOf(IdentityWebHeader().GetAwaiter().GetResult()));

    [GlobalCleanup]
    public void Cleanup()
    {
        _ours.Dispose();
        _identityWebServices.Dispose();
        _http.Dispose();
    }

    [Benchmark(Description = "CertCredentials GetTokenAsync")]
    public ValueTask<AccessToken> CertCredentials() => _ours.GetTokenAsync();

    [Benchmark(Baseline = true, Description = "MSAL AcquireTokenForClient")]
    public Task<AuthenticationResult> Msal() => _msal.AcquireTokenForClient(Scopes).ExecuteAsync();

    [Benchmark(Description = "Azure.Identity GetTokenAsync")]
    public ValueTask<AzureAccessToken> AzureIdentity() => _azure.GetTokenAsync(AzureContext, CancellationToken.None);

    [Benchmark(Description = "Identity.Web CreateAuthorizationHeaderForAppAsync")]
    public Task<string> IdentityWebHeader() => _identityWeb.CreateAuthorizationHeaderForAppAsync(Identities.Scope, IdentityWeb.ForApp);
}
