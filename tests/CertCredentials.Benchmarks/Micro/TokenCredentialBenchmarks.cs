using BenchmarkDotNet.Attributes;
using CertCredentials.Azure;
using CertCredentials.Benchmarks.Infrastructure;
using AzureAccessToken = Azure.Core.AccessToken;
using AzureTokenCredential = Azure.Core.TokenCredential;
using AzureTokenRequestContext = Azure.Core.TokenRequestContext;

namespace CertCredentials.Benchmarks.Micro;

/// <summary>
/// A cached token through the Azure SDK adapter (<c>AsTokenCredential</c>), against the credential's own cached
/// lookup (the baseline): the target is within 2x and no allocation of the adapter's own. The adapter's context is
/// made once, as Azure.Core's bearer policy keeps its own.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("tokencredential")]
public class TokenCredentialBenchmarks
{
    private static readonly AzureTokenRequestContext OwnContext = new([Identities.Scope]);
    private static readonly AzureTokenRequestContext TenantContext = new([Identities.Scope], tenantId: Identities.Tenant);

    private InProcessTokenEndpoint _endpoint = null!;
    private HttpClient _http = null!;
    private CertificateClientCredential _credential = null!;
    private AzureTokenCredential _adapter = null!;

    [GlobalSetup]
    public void Setup()
    {
        _endpoint = new InProcessTokenEndpoint();
        _http = new HttpClient(_endpoint);
        _credential = Clients.CreateCertCredential(Clients.EntraHost, Identities.Tenant, Identities.Scope, _http);
        _adapter = _credential.AsTokenCredential();

        // Warm the cache, then prove the measured calls never reach the endpoint and see the same token.
        var own = Credential().AsTask().GetAwaiter().GetResult().Token;
        var requests = _endpoint.TokenRequests;
        var adapted = (Adapter().AsTask().GetAwaiter().GetResult().Token, AdapterWithTenant().AsTask().GetAwaiter().GetResult().Token, AdapterSync().Token);
        Check.That(
            requests == 1 && _endpoint.TokenRequests == 1 && adapted == (own, own, own),
            $"token credential setup: {requests} then {_endpoint.TokenRequests} token requests, same token: {adapted == (own, own, own)}");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _credential.Dispose();
        _http.Dispose();
    }

    [Benchmark(Baseline = true, Description = "CertificateClientCredential GetTokenAsync")]
    public ValueTask<AccessToken> Credential() => _credential.GetTokenAsync();

    [Benchmark(Description = "AsTokenCredential GetTokenAsync")]
    public ValueTask<AzureAccessToken> Adapter() => _adapter.GetTokenAsync(OwnContext, CancellationToken.None);

    [Benchmark(Description = "AsTokenCredential GetTokenAsync, TenantId given")]
    public ValueTask<AzureAccessToken> AdapterWithTenant() => _adapter.GetTokenAsync(TenantContext, CancellationToken.None);

    [Benchmark(Description = "AsTokenCredential GetToken (sync)")]
    public AzureAccessToken AdapterSync() => _adapter.GetToken(OwnContext, CancellationToken.None);
}
