using CertCredentials.Caching;
using CertCredentials.Configuration;
using CertCredentials.Diagnostics;
using CertCredentials.Tests.Diagnostics;
using CertCredentials.Tests.Infrastructure;
using CertCredentials.TokenEndpoint;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CertCredentials.Tests.Caching;

/// <summary>
/// <see cref="TenantCaches"/> on its own, with acquire functions of the test's making: its arrays grown past their
/// first size, also across slots whose cache could not be built; what its table serves and counts; the cache's path
/// when Trace logging is on. In the telemetry collection: it counts cache hits.
/// </summary>
[Collection(TelemetryListeners.Name)]
public sealed class TenantCachesTableTests
{
    private static readonly Uri AuthorityHost = new("https://login.tenant-caches.test");
    private static readonly CredentialSettings Settings = CredentialSettings.From(TestOptions.Rsa2048(o => o.AuthorityHost = AuthorityHost));
    private readonly FakeTimeProvider _time = new(TestClock.Start);
    private int _requests;

    private static string Tenant(string prefix, int i) => $"{prefix}{i:D5}.onmicrosoft.com";

    /// <summary>Builds a cache whose token names its tenant, or none for tenants starting with "bad".</summary>
    private Func<CredentialSettings, Action<CachedToken?>, TokenCache> Caches(ILogger logger, Func<CredentialSettings, string>? token = null) => (s, changed) =>
    {
        if (s.TenantId.StartsWith("bad", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("this cache could not be built");
        }

        return new TokenCache((_, _) =>
        {
            Interlocked.Increment(ref _requests);
            return Task.FromResult(new TokenResponse(token?.Invoke(s) ?? "token for " + s.TenantId, TimeSpan.FromHours(1), null, "c", null));
        }, s, _time, logger, changed);
    };

    private TenantCaches Create(ILogger logger, Func<CredentialSettings, string>? token = null)
    {
        var create = Caches(logger, token);
        return new TenantCaches(Settings, create(Settings, _ => { }), AuthorityHost, create, _time, logger);
    }

    [Fact]
    public async Task Keeps_every_tenants_own_cache_past_its_first_array_even_after_caches_that_could_not_be_built()
    {
        // Slots are handed out before a cache is built, so caches that fail to build leave gaps: the array of caches
        // must grow to the slot, not only double. Ten failures first, then thirty tenants that work.
        var caches = Create(NullLogger.Instance);
        for (var i = 0; i < 10; i++)
        {
            FluentActions.Invoking(() => caches.Resolve(Tenant("bad", i), TestOptions.Scope)).Should().Throw<InvalidOperationException>();
        }

        for (var i = 0; i < 30; i++)
        {
            (await caches.GetAsync(Tenant("good", i), TestOptions.Scope, CancellationToken.None)).Token.Should().Be("token for " + Tenant("good", i));
        }

        for (var i = 0; i < 30; i++)
        {
            var slot = caches.Resolve(Tenant("good", i), TestOptions.Scope);
            caches.TryGetFresh(slot, out var token).Should().BeTrue("published to the table by its own cache");
            token.Token.Should().Be("token for " + Tenant("good", i));
            caches.SettingsOf(slot).TenantId.Should().Be(Tenant("good", i));
        }

        _requests.Should().Be(30);
        caches.Count.Should().Be(40, "every slot handed out stays taken, built or not");
        caches.Invalidate("token for " + Tenant("good", 29)).Should().BeTrue("the last cache is found past the gaps");
        caches.Invalidate("token for " + Tenant("good", 29)).Should().BeFalse("it is gone; the gaps drop nothing");

        caches.Dispose();
        var last = caches.Resolve(Tenant("good", 28), TestOptions.Scope);
        caches.TryGetFresh(last, out _).Should().BeFalse("disposal empties every cache, the last ones too");
    }

    [Fact]
    public async Task With_its_first_array_exactly_full_it_invalidates_and_disposes_every_cache()
    {
        var caches = Create(NullLogger.Instance);
        for (var i = 0; i < 4; i++)
        {
            await caches.GetAsync(Tenant("good", i), TestOptions.Scope, CancellationToken.None);
        }

        caches.Count.Should().Be(4, "as many as its first array holds");
        caches.Invalidate("no such token").Should().BeFalse();
        caches.Invalidate("token for " + Tenant("good", 3)).Should().BeTrue();

        caches.Dispose();
        caches.Dispose();
        caches.TryGetFresh(caches.Resolve(Tenant("good", 2), TestOptions.Scope), out _).Should().BeFalse();
    }

    [Fact]
    public async Task A_token_two_caches_hold_is_dropped_from_both()
    {
        // A resource rejecting a token: whichever caches hold that value drop it (two scopes answered with one token).
        var caches = Create(NullLogger.Instance, token: _ => "one token");
        await caches.GetAsync(Tenant("good", 1), TestOptions.Scope, CancellationToken.None);
        await caches.GetAsync(Tenant("good", 2), TestOptions.Scope, CancellationToken.None);

        caches.Invalidate("one token").Should().BeTrue();

        caches.TryGetFresh(caches.Resolve(Tenant("good", 1), TestOptions.Scope), out _).Should().BeFalse();
        caches.TryGetFresh(caches.Resolve(Tenant("good", 2), TestOptions.Scope), out _).Should().BeFalse();
        caches.Dispose();
    }

    [Fact]
    public async Task Each_lookup_the_table_answers_is_counted_as_a_cache_hit()
    {
        var caches = Create(NullLogger.Instance);
        await caches.GetAsync(Tenant("good", 1), TestOptions.Scope, CancellationToken.None);
        using var hits = new MetricCollector<long>(CredentialTelemetry.CacheHits);

        for (var i = 0; i < 5; i++)
        {
            caches.GetAsync(Tenant("good", 1), TestOptions.Scope, CancellationToken.None).Synchronously().Token.Should().Be("token for " + Tenant("good", 1));
        }

        hits.GetMeasurementSnapshot().Sum(m => m.Value).Should().Be(5);
        _requests.Should().Be(1);
        caches.Dispose();
    }

    [Fact]
    public async Task With_trace_logging_on_lookups_take_the_caches_path_which_logs_each_one()
    {
        var logs = new LogCapture();
        var caches = Create(logs.Logger());
        var first = await caches.GetAsync(Tenant("good", 1), TestOptions.Scope, CancellationToken.None);
        var slot = caches.Resolve(Tenant("good", 1), TestOptions.Scope);

        caches.TryGetFresh(slot, out _).Should().BeFalse("the table does not log, so it steps aside");
        (await caches.GetAsync(Tenant("good", 1), TestOptions.Scope, CancellationToken.None)).Should().Be(first);

        logs.WithId(1101).Should().ContainSingle("the served-from-cache event, at Trace");
        _requests.Should().Be(1);
        caches.Dispose();
    }
}
