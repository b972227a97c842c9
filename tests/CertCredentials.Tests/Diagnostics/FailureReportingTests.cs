using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using CertCredentials.Diagnostics;
using CertCredentials.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace CertCredentials.Tests.Diagnostics;

/// <summary>
/// Failures of any type reach callers as a <see cref="CertificateCredentialException"/> and are seen by LastFailure,
/// the failure metric and the health check; listeners that throw (metrics, activities) change nothing callers get.
/// Against the local token service.
/// </summary>
[Collection(TelemetryListeners.Name)]
public sealed class FailureReportingTests : IAsyncLifetime
{
    private LocalEntra _entra = null!;

    public async Task InitializeAsync() => _entra = await LocalEntra.StartAsync();

    public async Task DisposeAsync() => await _entra.DisposeAsync();

    [Fact]
    public async Task A_disposed_caller_owned_http_client_is_a_typed_failure_seen_by_last_failure_the_metric_and_the_health_check()
    {
        using var failures = new MetricCollector<long>(CredentialTelemetry.Failures);
        var httpClient = new HttpClient();
        var credential = _entra.Credential(o => o.MaxRetries = 0, httpClient: httpClient);
        httpClient.Dispose();

        var e = await FluentActions.Awaiting(() => credential.GetTokenAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30))).Should().ThrowAsync<CertificateCredentialException>();

        e.Which.InnerException.Should().BeOfType<ObjectDisposedException>();
        e.Which.Message.Should().Contain("HttpClient").And.Contain("disposed");
        credential.LastFailure.Should().BeSameAs(e.Which);
        failures.GetMeasurementSnapshot().Should().Contain(m => (string?)m.Tags["failure"] == e.Which.Failure.ToString());

        var health = await new CertificateCredentialHealthCheck(() => credential, TimeProvider.System).CheckHealthAsync(new HealthCheckContext());
        health.Status.Should().Be(HealthStatus.Unhealthy);
        health.Description.Should().Contain("The last token acquisition failed").And.Contain("disposed");
        _entra.Service.TokenRequestCount.Should().Be(0);
    }

    [Fact]
    public async Task A_cryptographic_exception_from_the_http_stack_is_typed_and_not_retried()
    {
        using var httpClient = new HttpClient(new ThrowingHandler(new CryptographicException("the client certificate's key is unusable")));
        var credential = _entra.Credential(o => o.MaxRetries = 3, httpClient: httpClient);

        var e = await FluentActions.Awaiting(() => credential.GetTokenAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30))).Should().ThrowAsync<CertificateCredentialException>();

        e.Which.InnerException.Should().BeOfType<CryptographicException>();
        e.Which.IsRetryable.Should().BeFalse();
        credential.LastFailure.Should().BeSameAs(e.Which);
    }

    [Fact]
    public async Task Throwing_meter_and_activity_listeners_change_nothing_callers_get()
    {
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == CredentialTelemetry.Name)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meters.SetMeasurementEventCallback<long>((_, _, _, _) => throw new InvalidOperationException("broken meter listener"));
        meters.SetMeasurementEventCallback<double>((_, _, _, _) => throw new InvalidOperationException("broken meter listener"));
        meters.Start();
        using var activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == CredentialTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = _ => throw new InvalidOperationException("broken activity listener (start)"),
            ActivityStopped = _ => throw new InvalidOperationException("broken activity listener (stop)"),
        };
        ActivitySource.AddActivityListener(activities);
        var credential = _entra.Credential();

        var first = await credential.GetTokenAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        var second = await credential.GetTokenAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        second.Should().Be(first);
        credential.LastFailure.Should().BeNull();
        _entra.Service.TokenRequestCount.Should().Be(1);
    }

    private sealed class ThrowingHandler(Exception exception) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => Task.FromException<HttpResponseMessage>(exception);
    }
}
