using System.Diagnostics;
using CertCredentials.Diagnostics;
using CertCredentials.Testing;
using CertCredentials.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace CertCredentials.Tests.Diagnostics;

[Collection(TelemetryListeners.Name)]
public sealed class ObservabilityTests
{
    [Fact]
    public async Task Logs_stable_events_without_any_secret()
    {
        await using var entra = await LocalEntra.StartAsync();
        var logs = new LogCapture();
        entra.Service.EnqueueFault(new TokenFault { StatusCode = 503 });
        var credential = entra.Credential(o => { o.PrivateKeyPath = Fixture.Path("rsa2048.pkcs8.aes256-sha256.pem"); o.PrivateKeyPassphrase = Fixture.Passphrase; },
                                          logger: logs.Logger());

        var token = await credential.GetTokenAsync();
        await credential.GetTokenAsync();
        await Eventually.TrueAsync(() => !credential.IsAcquiring, "the acquisition has reported (after answering)");

        logs.WithId(1000).Should().ContainSingle().Which.Message.Should().Contain("RSA-2048").And.Contain("x5t#S256=");
        logs.WithId(1105).Should().ContainSingle().Which.Message.Should().Contain("HTTP 503");
        var acquired = logs.WithId(1100).Should().ContainSingle().Subject;
        acquired.Level.Should().Be(LogLevel.Information);
        acquired.Message.Should().Contain("expires at");
        logs.WithId(1101).Should().ContainSingle().Which.Level.Should().Be(LogLevel.Trace);

        var secrets = entra.Service.Requests.Select(r => r.Form["client_assertion"]).Append(token.Token)
            .Append(Fixture.Text("rsa2048.pkcs8.pem")).Append(Fixture.Passphrase).ToArray();
        SecretScan.AssertClean(logs.AllText(), secrets);
    }

    [Fact]
    public async Task Logs_a_failure_with_its_code_and_correlation_id()
    {
        await using var entra = await LocalEntra.StartAsync();
        var logs = new LogCapture();
        var credential = entra.Credential(o => o.ClientId = "99999999-9999-9999-9999-999999999999", logger: logs.Logger());
        await FluentActions.Awaiting(() => credential.GetTokenAsync().AsTask()).Should().ThrowAsync<TokenEndpointException>();
        await Eventually.TrueAsync(() => !credential.IsAcquiring, "the acquisition has reported (after answering)");

        var failed = logs.WithId(1106).Should().ContainSingle().Subject;
        failed.Level.Should().Be(LogLevel.Error);
        failed.Values.Should().Contain(v => v.Key == "ErrorCode" && Equals(v.Value, 700016));
        failed.Values.Should().Contain(v => v.Key == "CorrelationId" && Equals(v.Value, entra.Service.Requests.Single().Headers["client-request-id"]));
    }

    [Fact]
    public async Task Warns_at_start_when_the_certificate_expires_within_30_days()
    {
        using var certificate = Fixture.Certificate("rsa2048.crt.pem");
        var time = new FakeTimeProvider(new DateTimeOffset(certificate.NotAfter.ToUniversalTime()).AddDays(-10));
        var logs = new LogCapture();
        using var credential = new CertificateClientCredential(TestOptions.Rsa2048(), timeProvider: time, logger: logs.Logger());
        logs.WithId(1002).Should().ContainSingle().Which.Level.Should().Be(LogLevel.Warning);

        var expired = new FakeTimeProvider(new DateTimeOffset(certificate.NotAfter.ToUniversalTime()).AddDays(1));
        using var late = new CertificateClientCredential(TestOptions.Rsa2048(), timeProvider: expired, logger: logs.Logger());
        logs.WithId(1003).Should().ContainSingle().Which.Level.Should().Be(LogLevel.Error);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Records_metrics_on_the_CertCredentials_meter()
    {
        using var requests = new MetricCollector<long>(CredentialTelemetry.TokenRequests);
        using var hits = new MetricCollector<long>(CredentialTelemetry.CacheHits);
        using var failures = new MetricCollector<long>(CredentialTelemetry.Failures);
        using var duration = new MetricCollector<double>(CredentialTelemetry.AcquisitionDuration);

        await using var entra = await LocalEntra.StartAsync();
        var credential = entra.Credential();
        await credential.GetTokenAsync();
        await credential.GetTokenAsync();
        await credential.GetTokenAsync();
        var failing = entra.Credential(o => o.ClientId = "99999999-9999-9999-9999-999999999999");
        await FluentActions.Awaiting(() => failing.GetTokenAsync().AsTask()).Should().ThrowAsync<TokenEndpointException>();

        requests.GetMeasurementSnapshot().EvaluateAsCounter().Should().Be(2);
        hits.GetMeasurementSnapshot().EvaluateAsCounter().Should().Be(2);
        duration.GetMeasurementSnapshot().Should().Contain(m => m.Value > 0);
        failures.GetMeasurementSnapshot().Should().Contain(m => Equals(m.Tags["error.code"], "700016"));
    }

    [Fact]
    public async Task Traces_each_acquisition_as_an_activity()
    {
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "CertCredentials",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { lock (activities) { activities.Add(activity); } },
        };
        ActivitySource.AddActivityListener(listener);

        await using var entra = await LocalEntra.StartAsync();
        var credential = entra.Credential();
        await credential.GetTokenAsync();
        await credential.GetTokenAsync();

        lock (activities)
        {
            var span = activities.Should().ContainSingle(a => a.OperationName == "CertCredentials.AcquireToken").Subject;
            span.Status.Should().Be(ActivityStatusCode.Ok);
            span.GetTagItem("certcredentials.client_id").Should().Be(TestOptions.ClientId);
            span.GetTagItem("server.address").Should().Be("127.0.0.1");
        }
    }
}
