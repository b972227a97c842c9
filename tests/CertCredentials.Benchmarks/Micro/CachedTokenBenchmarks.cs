using Azure.Identity;
using BenchmarkDotNet.Attributes;
using CertCredentials.Benchmarks.Infrastructure;
using Microsoft.Identity.Client;
using AzureAccessToken = Azure.Core.AccessToken;
using AzureTokenRequestContext = Azure.Core.TokenRequestContext;

namespace CertCredentials.Benchmarks.Micro;

/// <summary>
/// A token already in the cache, one credential: what every outgoing call of a service pays. Each library returns its
/// own awaitable; all complete synchronously here. MSAL is the baseline (Ratio = time / MSAL's).
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

    [GlobalSetup]
    public void Setup()
    {
        _endpoint = new InProcessTokenEndpoint();
        _http = new HttpClient(_endpoint);
        _ours = Clients.CreateCertCredential(Clients.EntraHost, Identities.Tenant, Identities.Scope, _http);
        _msal = Clients.CreateMsal(Clients.EntraHost, Identities.Tenant, _http);
        _azure = Clients.CreateAzureIdentity(Clients.EntraHost, Identities.Tenant, _http);

        // Warm each cache, then prove the measured calls never reach the endpoint.
        var first = (CertCredentials().AsTask().GetAwaiter().GetResult().Token, Msal().GetAwaiter().GetResult().AccessToken, AzureIdentity().AsTask().GetAwaiter().GetResult().Token);
        var requests = _endpoint.TokenRequests;
        var second = (CertCredentials().AsTask().GetAwaiter().GetResult().Token, Msal().GetAwaiter().GetResult().AccessToken, AzureIdentity().AsTask().GetAwaiter().GetResult().Token);
        Check.That(requests == 3 && _endpoint.TokenRequests == 3 && first == second, $"cached-token setup: {requests} then {_endpoint.TokenRequests} token requests, same tokens: {first == second}");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ours.Dispose();
        _http.Dispose();
    }

    [Benchmark(Description = "CertCredentials GetTokenAsync")]
    public ValueTask<AccessToken> CertCredentials() => _ours.GetTokenAsync();

    [Benchmark(Baseline = true, Description = "MSAL AcquireTokenForClient")]
    public Task<AuthenticationResult> Msal() => _msal.AcquireTokenForClient(Scopes).ExecuteAsync();

    [Benchmark(Description = "Azure.Identity GetTokenAsync")]
    public ValueTask<AzureAccessToken> AzureIdentity() => _azure.GetTokenAsync(AzureContext, CancellationToken.None);
}
