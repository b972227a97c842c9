using System.Diagnostics.Metrics;
using CertCredentials.Diagnostics;
using CertCredentials.Tests.Diagnostics;
using CertCredentials.Tests.Infrastructure;

namespace CertCredentials.Tests.SharedCache;

/// <summary>The shared cache's counters (reads, store failures) under a MeterListener that throws: callers still get their tokens.</summary>
[Collection(TelemetryListeners.Name)]
public sealed class SharedCacheTelemetryTests : IAsyncLifetime
{
    private LocalEntra _entra = null!;

    public async Task InitializeAsync() => _entra = await LocalEntra.StartAsync();

    public async Task DisposeAsync() => await _entra.DisposeAsync();

    [Fact]
    public async Task A_throwing_meter_listener_leaves_readers_of_the_store_and_callers_of_a_failing_store_with_their_tokens()
    {
        var measured = new List<string>();
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == CredentialTelemetry.Name && instrument.Name.StartsWith("certcredentials.shared_cache.", StringComparison.Ordinal))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meters.SetMeasurementEventCallback<long>((instrument, _, _, _) =>
        {
            lock (measured)
            {
                measured.Add(instrument.Name);
            }

            throw new InvalidOperationException("broken meter listener");
        });
        meters.Start();
        var store = new MemoryTokenStore();

        // A miss (counted), then a hit (counted) by a second instance.
        var first = await _entra.Credential(o => o.SharedTokenStore = store).GetTokenAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        var second = _entra.Credential(o => o.SharedTokenStore = store);
        var shared = await second.GetTokenAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        shared.Token.Should().Be(first.Token, "the second instance read the first one's entry although counting the read threw");
        _entra.Service.TokenRequestCount.Should().Be(1);
        second.LastFailure.Should().BeNull();

        // A failing store (a failure counted, and a failed read).
        var failing = _entra.Credential(o => o.SharedTokenStore = new MemoryTokenStore { Failure = new InvalidOperationException("the store is broken") });
        (await failing.GetTokenAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30))).Token.Should().NotBeNullOrEmpty();
        failing.LastFailure.Should().BeNull();

        lock (measured)
        {
            measured.Should().Contain(["certcredentials.shared_cache.reads", "certcredentials.shared_cache.failures"], "the listener was called, and threw, for both counters");
        }
    }
}
