using System.Security.Cryptography;
using CertCredentials.Caching;
using CertCredentials.Configuration;
using CertCredentials.Diagnostics;
using CertCredentials.SharedCache;
using CertCredentials.Tests.Diagnostics;
using CertCredentials.Tests.Infrastructure;
using CertCredentials.TokenEndpoint;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CertCredentials.Tests.Caching;

/// <summary>
/// The cache's side of a fleet's shared store, two instances in one process over one in-memory store: a token the
/// other instance requested is taken from the store (and measured as shared), a refresh does not take back the very
/// token it replaces, and a rejected token leaves the store for everyone. In the telemetry collection: it measures.
/// </summary>
[Collection(TelemetryListeners.Name)]
public sealed class TokenCacheSharedStoreTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly CertificateThumbprint Thumbprint = CertificateThumbprint.Compute([7, 7, 7]);
    private static readonly CredentialSettings Settings = CredentialSettings.From(TestOptions.Rsa2048()) with
    {
        ExpirationMargin = TimeSpan.FromMinutes(5),
        RefreshRatio = 0.5,
    };

    private readonly FakeTimeProvider _time = new(TestClock.Start);
    private readonly MemoryTokenStore _store;
    private int _requests;

    public TokenCacheSharedStoreTests() => _store = new MemoryTokenStore(_time);

    /// <summary>One instance of the fleet: its own cache and its own view of the shared store.</summary>
    private TokenCache Instance()
    {
        var shared = new SharedTokenCache(_store, new SharedCacheSigner(() => Thumbprint, (label, _) => ValueTask.FromResult(SHA256.HashData(label))), _time, NullLogger.Instance);
        return new TokenCache((_, _) =>
        {
            var n = Interlocked.Increment(ref _requests);
            return Task.FromResult(new TokenResponse("token " + n, TimeSpan.FromHours(1), null, "c", null));
        }, Settings, _time, NullLogger.Instance, shared: new SharedTokenPair(shared, Settings));
    }

    [Fact]
    public async Task A_token_the_other_instance_requested_is_taken_from_the_store_and_measured_as_shared()
    {
        using var a = Instance();
        using var b = Instance();
        using var durations = new MetricCollector<double>(CredentialTelemetry.AcquisitionDuration);

        var first = await a.GetAsync(CancellationToken.None).AsTask().WaitAsync(Wait);
        await Eventually.TrueAsync(() => !a.IsAcquiring, "a has reported");
        var second = await b.GetAsync(CancellationToken.None).AsTask().WaitAsync(Wait);
        await Eventually.TrueAsync(() => !b.IsAcquiring, "b has reported");

        second.Should().Be(first);
        _requests.Should().Be(1);
        durations.GetMeasurementSnapshot().Select(m => m.Tags["outcome"]).Should().Equal("success", "shared");
    }

    [Fact]
    public async Task A_refresh_does_not_take_back_from_the_store_the_token_it_replaces()
    {
        using var a = Instance();
        var first = await a.GetAsync(CancellationToken.None).AsTask().WaitAsync(Wait);
        _time.Advance(TimeSpan.FromMinutes(31)); // into the refresh window; the store's entry is that same token

        (await a.GetAsync(CancellationToken.None).AsTask().WaitAsync(Wait)).Should().Be(first, "callers keep the valid token meanwhile");
        await Eventually.TrueAsync(() => !a.IsAcquiring, "the background refresh is done");

        _requests.Should().Be(2, "the refresh asked the endpoint: the store only held the token being replaced");
        a.Current!.Token.Token.Should().Be("token 2");
    }

    [Fact]
    public async Task A_rejected_token_is_removed_from_the_store_for_everyone()
    {
        using var a = Instance();
        using var b = Instance();
        var first = await a.GetAsync(CancellationToken.None).AsTask().WaitAsync(Wait);
        await Eventually.TrueAsync(() => _store.Entries.Count == 1, "the token is in the store");

        a.Invalidate(first.Token).Should().BeTrue();

        await Eventually.TrueAsync(() => _store.Entries.Count == 0, "the rejected token is taken out of the store");
        var fresh = await b.GetAsync(CancellationToken.None).AsTask().WaitAsync(Wait);
        fresh.Token.Should().NotBe(first.Token, "the other instance does not get the rejected token");
        _requests.Should().Be(2);
    }
}
