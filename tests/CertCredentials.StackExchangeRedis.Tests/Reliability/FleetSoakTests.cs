using System.Collections.Concurrent;
using System.Diagnostics;
using CertCredentials.StackExchangeRedis.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace CertCredentials.StackExchangeRedis.Tests.Reliability;

/// <summary>
/// The fleet under load for a bounded time with 5-second tokens (refreshed every 2.5 s): workers on every instance
/// and tenant call all the time. Through Redis the fleet sends about elapsed / refresh interval token requests per
/// tenant, not per instance; no call fails; no token is served past its expiry (read from the JWT itself). Then the
/// same with Redis killed and restarted mid-run: still no failed call. SOAK_SECONDS lengthens it (default 15).
/// </summary>
public sealed class FleetSoakTests(ITestOutputHelper output)
{
    private const int Instances = 4;
    private const int TenantCount = 5;
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RefreshInterval = Lifetime / 2;
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("SOAK_SECONDS"), out var s) ? s : 15);

    [Fact]
    public async Task A_fleet_under_load_refreshes_once_per_interval_per_tenant_with_no_failed_call_and_no_expired_token()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var fleet = await Fleet.StartAsync(TenantCount, o => o.AccessTokenLifetime = Lifetime);
        var result = await SoakAsync(fleet, redis, outage: false);

        var perTenant = (double)result.Requests / TenantCount;
        var expected = result.Elapsed / RefreshInterval;
        output.WriteLine($"soak {result.Elapsed.TotalSeconds:F1} s, {Instances} instances x {TenantCount} tenants, 5 s tokens: {result.Calls:N0} calls, {result.Failed} failed, {result.Expired} expired, {result.Requests} token requests ({perTenant:F1} per tenant; elapsed / refresh interval = {expected:F1}; without Redis about {expected * Instances:F0})");
        result.Failed.Should().Be(0);
        result.Expired.Should().Be(0);
        perTenant.Should().BeLessThanOrEqualTo(expected + 2.5, "one request per tenant per refresh interval for the whole fleet, plus the first");

        // Fewer is right under load: a refresh starts at the first call past its moment and the next interval counts
        // from that request, so a slow machine stretches the period. But a token serves at most 3.75 s (5 s less the
        // quarter margin): with no failed call and none expired, the fleet cannot have requested fewer than this.
        perTenant.Should().BeGreaterThanOrEqualTo((result.Elapsed / (Lifetime * 0.75)) - 1);
    }

    [Fact]
    public async Task A_fleet_under_load_with_redis_killed_and_restarted_mid_run_has_no_failed_call()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var fleet = await Fleet.StartAsync(TenantCount, o => o.AccessTokenLifetime = Lifetime);
        var result = await SoakAsync(fleet, redis, outage: true);

        output.WriteLine($"soak with Redis killed at 1/3 and restarted at 2/3, {result.Elapsed.TotalSeconds:F1} s: {result.Calls:N0} calls, {result.Failed} failed, {result.Expired} expired, {result.Requests} token requests");
        result.Failed.Should().Be(0);
        result.Expired.Should().Be(0);
        fleet.Logs.WithId(1400).Should().NotBeEmpty("the outage was noticed");
    }

    private static async Task<(int Calls, int Failed, int Expired, int Requests, TimeSpan Elapsed)> SoakAsync(Fleet fleet, RedisServer redis, bool outage)
    {
        // The default 250 ms bound when Redis dies; the protocol's 5 s otherwise (see Fleet).
        var providers = Enumerable.Range(0, Instances)
            .Select(_ => fleet.InstanceProvider(redis.Configuration, redisOptions: outage ? o => o.OperationTimeout = TimeSpan.FromMilliseconds(250) : null))
            .ToList();
        await SharedCache.ColdFleetTests.WarmUpAsync(providers);
        var credentials = providers.Select(p => p.GetRequiredService<CertificateClientCredential>()).ToList();

        var expiries = new ConcurrentDictionary<string, DateTimeOffset>();
        int calls = 0, failed = 0, expired = 0;
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource(Duration);
        var workers = credentials.SelectMany(credential => fleet.Tenants.Select(tenant => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var token = await credential.GetTokenAsync(tenant, Fleet.Scope);
                    var exp = expiries.GetOrAdd(token.Token, t => Tokens.Read(t).Expires);
                    if (exp <= DateTimeOffset.UtcNow)
                    {
                        Interlocked.Increment(ref expired);
                    }
                }
                catch (CertificateCredentialException)
                {
                    Interlocked.Increment(ref failed);
                }

                Interlocked.Increment(ref calls);
                await Task.Delay(20);
            }
        }))).ToList();

        if (outage)
        {
            await Task.Delay(Duration / 3);
            await redis.KillAsync();
            await Task.Delay(Duration / 3);
            await redis.StartProcessAsync();
        }

        await Task.WhenAll(workers);
        return (calls, failed, expired, fleet.Service.TokenRequestCount, clock.Elapsed);
    }
}
