using CertCredentials.StackExchangeRedis.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Identity.Client;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace CertCredentials.StackExchangeRedis.Tests.SharedCache;

/// <summary>
/// A fleet starting cold: 8 instances (each its own service provider, Redis connection and in-process cache) x 100
/// tenants, every caller released at once. Through Redis the fleet sends one token request per tenant; without it,
/// one per instance and tenant; MSAL.NET with its token cache in the same Redis, measured in the same run.
/// </summary>
public sealed class ColdFleetTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Instances = 8;
    private const int TenantCount = 100;
    private RedisServer _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync();

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task Eight_cold_instances_send_one_token_request_per_tenant_through_redis_and_eight_without()
    {
        await using var fleet = await Fleet.StartAsync(TenantCount);

        var shared = Enumerable.Range(0, Instances).Select(_ => fleet.InstanceProvider(_redis.Configuration)).ToList();
        await WarmUpAsync(shared);
        var sharedTokens = await ReleaseTogetherAsync(shared.Select(p => p.GetRequiredService<CertificateClientCredential>()).ToList(), fleet.Tenants);
        var withRedis = fleet.Service.TokenRequestCount;

        foreach (var entry in fleet.Logs.Entries.Where(e => e.EventId.Id is >= 1400 and < 1500 and not 1403).Take(20))
        {
            output.WriteLine($"{entry.Level} {entry.EventId.Id} {entry.Message}");
        }

        // Every caller got its own tenant's token; all instances of a tenant hold the same one (counted, never shown).
        foreach (var (tenant, tokens) in sharedTokens)
        {
            tokens.Should().OnlyContain(t => Tokens.Read(t).Tenant == tenant);
            tokens.Distinct().Count().Should().Be(1, "the {0} instances share the token of tenant {1}", Instances, tenant);
        }

        var alone = Enumerable.Range(0, Instances).Select(_ => fleet.Instance(redis: null)).ToList();
        await ReleaseTogetherAsync(alone, fleet.Tenants);
        var withoutRedis = fleet.Service.TokenRequestCount - withRedis;

        var msal = await MsalFleetAsync(fleet);

        output.WriteLine($"cold fleet, {Instances} instances x {TenantCount} tenants: CertCredentials with Redis {withRedis} token requests, without Redis {withoutRedis}, MSAL.NET with its token cache in Redis {msal}");
        withRedis.Should().Be(TenantCount, "one token request per tenant for the whole fleet");
        withoutRedis.Should().Be(Instances * TenantCount, "each instance requests each tenant once (its own single flight)");
        msal.Should().BeGreaterThan(TenantCount, "MSAL's distributed cache does not coordinate instances: this measures it");
    }

    /// <summary>
    /// Connects each instance's store and subscription, as a started host has by the time traffic comes. A new
    /// multiplexer connects its subscription connection apart from the one GET uses, so a SUBSCRIBE right after the
    /// first GET can find it not yet up ("No connection is active/available"): wait until it is, not only the GET's.
    /// </summary>
    internal static async Task WarmUpAsync(IEnumerable<ServiceProvider> providers)
    {
        foreach (var provider in providers)
        {
            var store = provider.GetRequiredService<SharedTokenStore>();
            await store.GetAsync("warm-up", CancellationToken.None);
            await Eventually.TrueAsync(async () =>
            {
                try
                {
                    await store.WaitForChangeAsync("warm-up", TimeSpan.FromMilliseconds(1), CancellationToken.None);
                    return true;
                }
                catch (RedisConnectionException)
                {
                    return false;
                }
            }, "the instance's subscription connects", pollMilliseconds: 25);
        }
    }

    /// <summary>Every instance asks for every tenant, all callers released by one signal.</summary>
    internal static async Task<Dictionary<string, List<string>>> ReleaseTogetherAsync(IReadOnlyList<CertificateClientCredential> instances, IReadOnlyList<string> tenants)
    {
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = new List<(string Tenant, Task<AccessToken> Call)>();
        foreach (var instance in instances)
        {
            foreach (var tenant in tenants)
            {
                calls.Add((tenant, Task.Run(async () =>
                {
                    await go.Task;
                    return await instance.GetTokenAsync(tenant, Fleet.Scope);
                })));
            }
        }

        go.SetResult();
        await Task.WhenAll(calls.Select(c => c.Call));
        return calls.GroupBy(c => c.Tenant).ToDictionary(g => g.Key, g => g.Select(c => c.Call.Result.Token).ToList());
    }

    /// <summary>
    /// MSAL.NET as its docs show a distributed app token cache: the serialized cache read before and written after each
    /// access, in the same Redis, one confidential client per instance; the same release of every caller at once.
    /// </summary>
    private async Task<int> MsalFleetAsync(Fleet fleet)
    {
        // The same app and tenants on an HTTPS token service (MSAL refuses a plain-http authority), counted alone.
        using var https = LoopbackHttps.CreateCertificate();
        await using var service = await CertCredentials.Testing.LocalTokenService.StartAsync(new CertCredentials.Testing.LocalTokenServiceOptions { HttpsCertificate = https });
        foreach (var tenant in fleet.Tenants)
        {
            service.RegisterApplication(tenant, fleet.App.ClientId, fleet.App.Certificate, Fleet.Resource);
        }

        await using var redis = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration);
        var database = redis.GetDatabase();
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.Thumbprint == https.Thumbprint };
        using var http = new HttpClient(handler);
        var apps = Enumerable.Range(0, Instances).Select(_ =>
        {
            var app = ConfidentialClientApplicationBuilder.Create(fleet.App.ClientId)
                .WithAuthority(new Uri(service.BaseAddress, fleet.Tenants[0]).AbsoluteUri, validateAuthority: false)
                .WithInstanceDiscovery(false)
                .WithCertificate(fleet.App.Certificate, sendX5C: false)
                .WithHttpClientFactory(new FixedHttpClientFactory(http))
                .Build();
            app.AppTokenCache.SetBeforeAccessAsync(async args =>
            {
                var bytes = await database.StringGetAsync("msal:" + args.SuggestedCacheKey);
                args.TokenCache.DeserializeMsalV3(bytes.IsNull ? null : (byte[])bytes!);
            });
            app.AppTokenCache.SetAfterAccessAsync(async args =>
            {
                if (args.HasStateChanged)
                {
                    await database.StringSetAsync("msal:" + args.SuggestedCacheKey, args.TokenCache.SerializeMsalV3(), TimeSpan.FromHours(1));
                }
            });
            return app;
        }).ToList();

        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = apps.SelectMany(app => fleet.Tenants.Select(tenant => Task.Run(async () =>
        {
            await go.Task;
            return await app.AcquireTokenForClient([Fleet.Scope]).WithTenantId(tenant).ExecuteAsync();
        }))).ToList();
        go.SetResult();
        await Task.WhenAll(calls);
        return service.TokenRequestCount;
    }

    private sealed class FixedHttpClientFactory(HttpClient client) : IMsalHttpClientFactory
    {
        public HttpClient GetHttpClient() => client;
    }
}
