using BenchmarkDotNet.Attributes;
using CertCredentials.Benchmarks.Infrastructure;
using CertCredentials.Configuration;
using CertCredentials.SharedCache;
using CertCredentials.StackExchangeRedis;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace CertCredentials.Benchmarks.Micro;

/// <summary>
/// The shared cache against a real redis-server on 127.0.0.1. A cached lookup with a store configured against one
/// without (same run: the store must cost nothing there, and allocate nothing). A Redis hit (what an instance does for
/// a pair another instance fetched: read the entry, open it, build the cached token) against its floor, a raw GET of
/// the same bytes through the same multiplexer plus the decryption (target: within 1.3x). Between the two, the steps
/// of the hit, so that the difference can be placed: the store's own GET plus the open, then that GET bounded as every
/// store call is (SharedTokenCache.CallAsync) plus the open.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("shared")]
public class SharedCacheBenchmarks
{
    private LocalRedis _redis = null!;
    private RedisTokenStore _store = null!;
    private ConnectionMultiplexer _raw = null!;
    private InProcessTokenEndpoint _endpoint = null!;
    private HttpClient _http = null!;
    private CertificateClientCredential _plain = null!;
    private CertificateClientCredential _shared = null!;
    private SharedTokenCache _cache = null!;
    private SharedTokenPair _pair = null!;
    private string _name = null!;
    private SharedEntryKeys _keys = null!;
    private string _identity = null!;
    private RedisKey _entryKey;
    private readonly System.Security.Cryptography.RSA _key = System.Security.Cryptography.RSA.Create();

    [GlobalSetup]
    public void Setup()
    {
        _redis = LocalRedis.Start();
        // One multiplexer for the store and the floor, so that the two differ only by what the store does.
        _raw = ConnectionMultiplexer.Connect(_redis.Configuration);
        _store = new RedisTokenStore(new RedisTokenCacheOptions { ConnectionMultiplexer = _raw, OperationTimeout = TimeSpan.FromSeconds(5) });
        _endpoint = new InProcessTokenEndpoint();
        _http = new HttpClient(_endpoint);
        _plain = Clients.CreateCertCredential(Clients.EntraHost, Identities.Tenant, Identities.Scope, _http);
        _shared = Clients.CreateCertCredential(Clients.EntraHost, Identities.Tenant, Identities.Scope, _http, _store);
        var token = _shared.GetTokenAsync().AsTask().GetAwaiter().GetResult().Token;
        _plain.GetTokenAsync().AsTask().GetAwaiter().GetResult();

        // Another instance's view of the same pair: its own keys (derived alike), the entry the first one wrote.
        var settings = CredentialSettings.From(new CertificateClientCredentialOptions
        {
            TenantId = Identities.Tenant,
            ClientId = Identities.ClientId,
            Scope = Identities.Scope,
            PrivateKey = Identities.KeyPem,
            Certificate = Identities.CertificatePem,
            TokenEndpoint = new Uri(Clients.EntraHost, $"{Identities.Tenant}/oauth2/v2.0/token"),
        });
        _key.ImportFromPem(Identities.KeyPem);
        _cache = new SharedTokenCache(_store, new SharedCacheSigner(() => _shared.Thumbprint, (label, _) => ValueTask.FromResult(
            _key.SignData(label, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1))),
            TimeProvider.System, NullLogger.Instance);
        _pair = _cache.For(settings);
        _keys = _cache.KeysAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult()!;
        _identity = SharedTokenPair.IdentityOf(settings);
        _name = "t:" + _keys.NameOf(_identity);
        _entryKey = "certcredentials:" + _name;
        Check.That(RedisHit().GetAwaiter().GetResult() == token && RawGetAndDecrypt().GetAwaiter().GetResult() == token
                   && StoreGetAndDecrypt().GetAwaiter().GetResult() == token && BoundedGetAndDecrypt().GetAwaiter().GetResult() == token,
            "shared-cache setup: the second instance's view reads the first one's token");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _shared.Dispose();
        _plain.Dispose();
        _http.Dispose();
        _store.Dispose();
        _raw.Dispose();
        _redis.Dispose();
        _key.Dispose();
    }

    [Benchmark(Baseline = true, Description = "cached lookup, no store")]
    public ValueTask<AccessToken> CachedWithoutStore() => _plain.GetTokenAsync();

    [Benchmark(Description = "cached lookup, Redis store configured")]
    public ValueTask<AccessToken> CachedWithStore() => _shared.GetTokenAsync();

    [Benchmark(Description = "raw GET + AES-GCM open (floor)")]
    public async Task<string> RawGetAndDecrypt()
    {
        var bytes = (byte[])(await _raw.GetDatabase().StringGetAsync(_entryKey))!;
        SharedEntry.TryOpen(_keys, _identity, bytes, out var opened, out _);
        return opened.AccessToken;
    }

    [Benchmark(Description = "store GET + open")]
    public async Task<string> StoreGetAndDecrypt()
    {
        var bytes = await _store.GetAsync(_name, CancellationToken.None);
        SharedEntry.TryOpen(_keys, _identity, bytes, out var opened, out _);
        return opened.AccessToken;
    }

    [Benchmark(Description = "store GET bounded (CallAsync) + open")]
    public async Task<string> BoundedGetAndDecrypt()
    {
        var (_, bytes) = await _cache.CallAsync("get", static (store, name, token) => store.GetAsync(name, token), _name, CancellationToken.None);
        SharedEntry.TryOpen(_keys, _identity, bytes, out var opened, out _);
        return opened.AccessToken;
    }

    [Benchmark(Description = "Redis hit (read, open, schedule)")]
    public async Task<string> RedisHit()
    {
        var (token, _) = await _pair.AcquireAsync(null, false, null, NoRequest, CancellationToken.None);
        return token.Token.Token;
    }

    private static Task<CertCredentials.TokenEndpoint.TokenResponse> NoRequest(string? claims, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("a Redis hit sends no token request");
}
