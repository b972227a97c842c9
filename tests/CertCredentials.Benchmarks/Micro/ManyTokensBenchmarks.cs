using System.Globalization;
using Azure.Identity;
using BenchmarkDotNet.Attributes;
using CertCredentials.Benchmarks.Infrastructure;
using Microsoft.Identity.Client;
using AzureAccessToken = Azure.Core.AccessToken;
using AzureTokenRequestContext = Azure.Core.TokenRequestContext;

namespace CertCredentials.Benchmarks.Micro;

/// <summary>
/// Cached tokens for many tenants or many scopes in one process (the multi-tenant service), each call asking for the
/// next one of a shuffled list, against the same code with one token. Each library is used as its docs say:
/// CertCredentials, one credential for all with <c>GetTokenAsync(tenant, scope)</c>, and one credential per tenant and
/// scope, found by the caller in a dictionary keyed by the tenant (or scope), and also measured with the credential
/// already in hand (an array), which is the library's own share; MSAL, one application with <c>WithTenantId</c> per request; Azure.Identity, one credential allowed every
/// tenant, with <c>TokenRequestContext.TenantId</c>.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("many")]
public class ManyTokensBenchmarks
{
    private InProcessTokenEndpoint _endpoint = null!;
    private HttpClient _http = null!;
    private string[] _tenants = [];
    private string[][] _scopes = [];
    private string[] _keys = [];
    private int[] _callOrder = [];
    private int _next;

    private Dictionary<string, CertificateClientCredential> _ours = [];
    private CertificateClientCredential[] _oursInHand = [];
    private CertificateClientCredential? _oneForAll;
    private TenantCredential[] _tenantsInHand = [];
    private IConfidentialClientApplication _msal = null!;
    private ClientCertificateCredential _azure = null!;
    private AzureTokenRequestContext[] _azureContexts = [];
    private MemoryFloor _floor = null!;
    private Dictionary<string, int> _floorIndex = [];

    /// <summary>"1 token", "N tenants" (one scope each) or "N scopes" (of one tenant).</summary>
    [ParamsSource(nameof(Spreads))]
    public string Spread { get; set; } = "1 token";

    public static IEnumerable<string> Spreads()
    {
        var n = BenchmarkSettings.ManyTokens.ToString(CultureInfo.InvariantCulture);
        return ["1 token", $"{n} tenants", $"{n} scopes"];
    }

    [GlobalSetup(Targets = [nameof(CertCredentials), nameof(CertCredentialsInHand)])]
    public void SetupCertCredentials()
    {
        Prepare();
        var credentials = new CertificateClientCredential[_keys.Length];
        Parallel.For(0, _keys.Length, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
        {
            credentials[i] = Clients.CreateCertCredential(Clients.EntraHost, _tenants[i], _scopes[i][0], _http);
            _ = credentials[i].GetTokenAsync().AsTask().GetAwaiter().GetResult();
        });
        _ours = new Dictionary<string, CertificateClientCredential>(StringComparer.Ordinal);
        for (var i = 0; i < _keys.Length; i++)
        {
            _ours.Add(_keys[i], credentials[i]);
        }

        _oursInHand = credentials;

        ProveWarm(() => CertCredentials().AsTask().GetAwaiter().GetResult().Token);
    }

    [GlobalSetup(Targets = [nameof(CertCredentialsOneForAll), nameof(CertCredentialsTenantInHand)])]
    public void SetupCertCredentialsOneForAll()
    {
        Prepare();
        _oneForAll = Clients.CreateCertCredentialForAnyTenant(Clients.EntraHost, Identities.Tenant, Identities.Scope, _http);
        _tenantsInHand = new TenantCredential[_keys.Length];
        for (var i = 0; i < _keys.Length; i++)
        {
            _tenantsInHand[i] = _oneForAll.ForTenant(_tenants[i], _scopes[i][0]);
        }

        Parallel.For(0, _keys.Length, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
            _ = _tenantsInHand[i].GetTokenAsync().AsTask().GetAwaiter().GetResult());
        ProveWarm(() => CertCredentialsOneForAll().AsTask().GetAwaiter().GetResult().Token);
        _next = 0;
        ProveWarm(() => CertCredentialsTenantInHand().AsTask().GetAwaiter().GetResult().Token);
    }

    [GlobalSetup(Target = nameof(Msal))]
    public void SetupMsal()
    {
        Prepare();
        _msal = Clients.CreateMsal(Clients.EntraHost, Identities.Tenant, _http);
        Parallel.For(0, _keys.Length, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
            _ = _msal.AcquireTokenForClient(_scopes[i]).WithTenantId(_tenants[i]).ExecuteAsync().GetAwaiter().GetResult());
        ProveWarm(() => Msal().GetAwaiter().GetResult().AccessToken);
    }

    [GlobalSetup(Target = nameof(AzureIdentity))]
    public void SetupAzureIdentity()
    {
        Prepare();
        _azure = Clients.CreateAzureIdentity(Clients.EntraHost, Identities.Tenant, _http, anyTenant: true);
        _azureContexts = new AzureTokenRequestContext[_keys.Length];
        for (var i = 0; i < _keys.Length; i++)
        {
            _azureContexts[i] = new AzureTokenRequestContext(_scopes[i], tenantId: _tenants[i]);
        }

        Parallel.For(0, _keys.Length, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
            _ = _azure.GetToken(_azureContexts[i], CancellationToken.None));
        ProveWarm(() => AzureIdentity().AsTask().GetAwaiter().GetResult().Token);
    }

    [GlobalSetup(Targets = [nameof(FloorOneObject), nameof(FloorTwoObjects), nameof(FloorDenseTable), nameof(FloorDenseTableByKey)])]
    public void SetupFloor()
    {
        Prepare();
        _floor = new MemoryFloor(_keys.Length);
        _floorIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < _keys.Length; i++)
        {
            _floorIndex.Add(_keys[i], i);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var credential in _ours.Values)
        {
            credential.Dispose();
        }

        _ours.Clear();
        _oursInHand = [];
        _oneForAll?.Dispose();
        _oneForAll = null;
        _tenantsInHand = [];
        _http.Dispose();
    }

    [Benchmark(Description = "CertCredentials GetTokenAsync")]
    public ValueTask<AccessToken> CertCredentials() => _ours[_keys[Next()]].GetTokenAsync();

    /// <summary>The library alone: the caller already holds the credential (no dictionary).</summary>
    [Benchmark(Description = "CertCredentials GetTokenAsync, credential in hand")]
    public ValueTask<AccessToken> CertCredentialsInHand() => _oursInHand[Next()].GetTokenAsync();

    /// <summary>One credential for every tenant and scope, as MSAL's <c>WithTenantId</c> and Azure.Identity's <c>TenantId</c> are used.</summary>
    [Benchmark(Description = "CertCredentials GetTokenAsync(tenant, scope), one credential")]
    public ValueTask<AccessToken> CertCredentialsOneForAll()
    {
        var i = Next();
        return _oneForAll!.GetTokenAsync(_tenants[i], _scopes[i][0]);
    }

    /// <summary>The same credential, each tenant resolved once (<c>ForTenant</c>) and kept by the caller: no lookup by key.</summary>
    [Benchmark(Description = "CertCredentials TenantCredential.GetTokenAsync, resolved once")]
    public ValueTask<AccessToken> CertCredentialsTenantInHand() => _tenantsInHand[Next()].GetTokenAsync();

    [Benchmark(Baseline = true, Description = "MSAL AcquireTokenForClient")]
    public Task<AuthenticationResult> Msal()
    {
        var i = Next();
        return _msal.AcquireTokenForClient(_scopes[i]).WithTenantId(_tenants[i]).ExecuteAsync();
    }

    [Benchmark(Description = "Azure.Identity GetTokenAsync")]
    public ValueTask<AzureAccessToken> AzureIdentity() => _azure.GetTokenAsync(_azureContexts[Next()], CancellationToken.None);

    /// <summary>Reference: one object per lookup, spaced like credentials (see <see cref="MemoryFloor"/>).</summary>
    [Benchmark(Description = "reference: 1 object per lookup")]
    public AccessToken FloorOneObject() => _floor.OneObject(Next());

    /// <summary>Reference: a two-level (holder, then immutable entry) cache, spaced like credentials.</summary>
    [Benchmark(Description = "reference: 2 objects per lookup")]
    public AccessToken FloorTwoObjects() => _floor.TwoObjects(Next());

    /// <summary>Reference: every tenant's hot state inline in one dense array, index in hand (see <see cref="MemoryFloor.DenseTable"/>).</summary>
    [Benchmark(Description = "reference: dense table, index in hand")]
    public AccessToken FloorDenseTable() => _floor.DenseTable(Next());

    /// <summary>Reference: the dense table found through a dictionary keyed by the tenant (or scope), as a caller would ask.</summary>
    [Benchmark(Description = "reference: dense table, by key")]
    public AccessToken FloorDenseTableByKey() => _floor.DenseTable(_floorIndex[_keys[Next()]]);

    /// <summary>The next tenant or scope to ask for, in an order unrelated to the order things were built (random traffic).</summary>
    private int Next()
    {
        var i = _next;
        _next = i + 1 == _callOrder.Length ? 0 : i + 1;
        return _callOrder[i];
    }

    /// <summary>The tenants, scopes and keys of the spread, in a fixed shuffled order (so each call misses the last one's lines).</summary>
    private void Prepare()
    {
        _endpoint = new InProcessTokenEndpoint();
        _http = new HttpClient(_endpoint);
        var parts = Spread.Split(' ');
        var count = int.Parse(parts[0], CultureInfo.InvariantCulture);
        var byTenant = parts[1] == "tenants";
        var order = Enumerable.Range(0, count).ToArray();
        new Random(42).Shuffle(order);
        _tenants = order.Select(i => byTenant ? Identities.TenantNumber(i) : Identities.Tenant).ToArray();
        _scopes = order.Select(i => new[] { byTenant || count == 1 ? Identities.Scope : $"api://resource-{i:D5}/.default" }).ToArray();
        _keys = order.Select((_, k) => byTenant ? _tenants[k] : _scopes[k][0]).ToArray();
        _callOrder = Enumerable.Range(0, count).ToArray();
        new Random(7).Shuffle(_callOrder);
        _next = 0;
    }

    /// <summary>After the setup, a full pass over the spread sends no token request and every call gets its own token.</summary>
    private void ProveWarm(Func<string> call)
    {
        var before = _endpoint.TokenRequests;
        Check.That(before == _keys.Length, $"{Spread}: {before} token requests to warm {_keys.Length} tokens");
        var tokens = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < _keys.Length; i++)
        {
            tokens.Add(call());
        }

        Check.That(_endpoint.TokenRequests == before && tokens.Count == _keys.Length,
            $"{Spread}: a pass over the warm cache sent {_endpoint.TokenRequests - before} token requests and returned {tokens.Count} distinct tokens");
    }
}
