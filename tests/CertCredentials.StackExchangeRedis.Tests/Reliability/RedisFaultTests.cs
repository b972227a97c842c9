using CertCredentials.StackExchangeRedis.Tests.Infrastructure;
using CertCredentials.StackExchangeRedis.Tests.SharedCache;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace CertCredentials.StackExchangeRedis.Tests.Reliability;

/// <summary>
/// Redis down at start, killed mid-run and restarted, asleep, out of memory, evicting: callers keep getting tokens
/// (each instance requests its own), the fault is a Warning once per episode and the health check Degraded with the
/// reason, and sharing resumes once Redis answers again. The store's bound is the default 250 ms here.
/// </summary>
public sealed class RedisFaultTests : IAsyncLifetime
{
    private static readonly Action<RedisTokenCacheOptions> DefaultBound = o => o.OperationTimeout = TimeSpan.FromMilliseconds(250);
    private Fleet _fleet = null!;

    public async Task InitializeAsync() => _fleet = await Fleet.StartAsync(tenants: 6);

    public async Task DisposeAsync() => await _fleet.DisposeAsync();

    [Fact]
    public async Task Down_at_start_callers_get_tokens_health_is_degraded_and_sharing_resumes_when_redis_starts()
    {
        await using var redis = RedisServer.NotStarted();
        var (provider, credential) = Instance(redis.Configuration);

        foreach (var tenant in _fleet.Tenants.Take(3))
        {
            Tokens.Read((await credential.GetTokenAsync(tenant, Fleet.Scope)).Token).Tenant.Should().Be(tenant);
        }

        _fleet.Logs.WithId(1400).Should().ContainSingle("one Warning for the episode, however many calls failed")
            .Which.Level.Should().Be(LogLevel.Warning);
        var health = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        health.Status.Should().Be(HealthStatus.Degraded);
        health.Entries.Single().Value.Description.Should().Contain("shared token store").And.Contain("127.0.0.1:" + redis.Port);

        await redis.StartProcessAsync();
        await ResumesAsync(redis, credential);

        (await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Status.Should().Be(HealthStatus.Healthy);
        _fleet.Logs.WithId(1401).Should().ContainSingle();
    }

    [Fact]
    public async Task Killed_mid_run_and_restarted_callers_never_fail_and_sharing_resumes()
    {
        await using var redis = await RedisServer.StartAsync();
        var (_, first) = await WarmInstanceAsync(redis.Configuration);
        await first.GetTokenAsync(_fleet.Tenants[0], Fleet.Scope);
        await (await WarmInstanceAsync(redis.Configuration)).Credential.GetTokenAsync(_fleet.Tenants[0], Fleet.Scope);
        _fleet.Service.TokenRequestCount.Should().Be(1);

        await redis.KillAsync();
        Tokens.Read((await first.GetTokenAsync(_fleet.Tenants[1], Fleet.Scope)).Token).Tenant.Should().Be(_fleet.Tenants[1]);
        Tokens.Read((await Instance(redis.Configuration).Credential.GetTokenAsync(_fleet.Tenants[1], Fleet.Scope)).Token).Tenant.Should().Be(_fleet.Tenants[1]);
        _fleet.Logs.WithId(1400).Should().NotBeEmpty();

        await redis.StartProcessAsync();
        await ResumesAsync(redis, first);
    }

    /// <summary>
    /// Redis is back: the instance's connection comes back by itself (forced refreshes write its entry once it does),
    /// and a new instance then takes that entry instead of requesting.
    /// </summary>
    private async Task ResumesAsync(RedisServer redis, CertificateClientCredential credential)
    {
        await Eventually.TrueAsync(async () =>
        {
            await credential.RefreshTokenAsync();
            return (await redis.ReadAllAsync()).Count > 0;
        }, "the instance writes to Redis again once it is back", timeoutMilliseconds: 15_000, pollMilliseconds: 25);

        var token = credential.CachedToken!.Value.Token;
        var requests = _fleet.Service.TokenRequestCount;
        var (_, other) = await WarmInstanceAsync(redis.Configuration);
        (await other.GetTokenAsync()).Token.Should().Be(token, "once Redis answers, instances share again");
        _fleet.Service.TokenRequestCount.Should().Be(requests);
    }

    [Fact]
    public async Task A_redis_that_does_not_answer_holds_no_caller_past_its_bound()
    {
        await using var redis = await RedisServer.StartAsync();
        var (_, credential) = Instance(redis.Configuration);
        await credential.GetTokenAsync(_fleet.Tenants[0], Fleet.Scope);

        // DEBUG SLEEP blocks the whole server for 10 s: every call times out.
        var asleep = redis.ExecuteAsync("DEBUG", "SLEEP", "10");
        await Task.Delay(100);
        var token = await credential.GetTokenAsync(_fleet.Tenants[1], Fleet.Scope);

        asleep.IsCompleted.Should().BeFalse("the token came while Redis was still asleep");
        Tokens.Read(token.Token).Tenant.Should().Be(_fleet.Tenants[1]);
        _fleet.Logs.WithId(1400).Should().ContainSingle().Which.Message.Should().Contain("no answer within 250 ms");
        await asleep;
    }

    [Theory]
    [InlineData("noeviction")]
    [InlineData("allkeys-lru")]
    public async Task Out_of_memory_redis_refusing_writes_leaves_callers_served(string policy)
    {
        await using var redis = await RedisServer.StartAsync();
        await redis.ExecuteAsync("CONFIG", "SET", "maxmemory-policy", policy);
        await redis.ExecuteAsync("CONFIG", "SET", "maxmemory", "1");
        var (_, first) = Instance(redis.Configuration);
        var (_, second) = Instance(redis.Configuration);

        foreach (var tenant in _fleet.Tenants.Take(2))
        {
            Tokens.Read((await first.GetTokenAsync(tenant, Fleet.Scope)).Token).Tenant.Should().Be(tenant);
            Tokens.Read((await second.GetTokenAsync(tenant, Fleet.Scope)).Token).Tenant.Should().Be(tenant);
        }

        _fleet.Logs.WithId(1400).Should().HaveCount(2, "one Warning per instance: reads answering do not end an episode of refused writes")
            .And.OnlyContain(e => e.Message.Contains("OOM", StringComparison.Ordinal) || e.Message.Contains("maxmemory", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_evicted_entry_is_fetched_again_once_and_shared()
    {
        await using var redis = await RedisServer.StartAsync();
        await Instance(redis.Configuration).Credential.GetTokenAsync();
        await redis.ExecuteAsync("FLUSHALL");

        await Instance(redis.Configuration).Credential.GetTokenAsync();
        await Instance(redis.Configuration).Credential.GetTokenAsync();

        _fleet.Service.TokenRequestCount.Should().Be(2);
        _fleet.Logs.WithId(1400).Should().BeEmpty("an eviction is an ordinary miss, not a fault");
    }

    private async Task<(ServiceProvider Provider, CertificateClientCredential Credential)> WarmInstanceAsync(string redis)
    {
        var instance = Instance(redis);
        await ColdFleetTests.WarmUpAsync([instance.Provider]);
        return instance;
    }

    private (ServiceProvider Provider, CertificateClientCredential Credential) Instance(string redis)
    {
        var provider = _fleet.InstanceProvider(redis, redisOptions: DefaultBound, configureServices: s => s.AddHealthChecks().AddCertificateClientCredentialCheck());
        return (provider, provider.GetRequiredService<CertificateClientCredential>());
    }
}
