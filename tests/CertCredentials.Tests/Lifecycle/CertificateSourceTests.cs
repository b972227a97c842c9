using System.Diagnostics.Metrics;
using CertCredentials.Diagnostics;
using CertCredentials.Lifecycle;
using CertCredentials.Tests.Diagnostics;
using CertCredentials.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace CertCredentials.Tests.Lifecycle;

/// <summary>
/// A user's <see cref="CertificateSource"/>: asked at start and every CertificateReloadInterval; the same thumbprint
/// changes nothing, another certificate is switched to for later token requests; a failing source leaves the old
/// certificate serving, reported once when it fails again, until a good one arrives.
/// </summary>
[Collection(TelemetryListeners.Name)]
public sealed class CertificateSourceTests
{
    private readonly MadeCertificate _first = MadeCertificate.For("CN=first");
    private readonly MadeCertificate _second = MadeCertificate.For("CN=second");
    private readonly FakeTimeProvider _time = new(TestClock.Start);
    private readonly LogCapture _logs = new();

    private async Task<LocalEntra> EntraAsync()
    {
        var entra = await LocalEntra.StartAsync(_time);
        entra.Service.RegisterApplication(TestOptions.TenantId, TestOptions.ClientId, _first.Certificate, LocalEntra.Resource);
        entra.Service.RegisterApplication(TestOptions.TenantId, TestOptions.ClientId, _second.Certificate, LocalEntra.Resource);
        return entra;
    }

    private CertificateClientCredential Credential(LocalEntra entra, CertificateSource source, Action<CertificateClientCredentialOptions>? change = null) =>
        entra.Credential(o =>
        {
            o.PrivateKeyPath = null;
            o.CertificatePath = null;
            o.CertificateSource = source;
            change?.Invoke(o);
        }, time: _time, logger: _logs.Logger());

    /// <summary>The periodic check, run by hand: the fake clock does not move, so the timer adds no check of its own.</summary>
    private static Task<ReloadOutcome> IntervalAsync(CertificateClientCredential credential) => credential.Reloader.CheckAsync(ReloadTrigger.Interval);

    [Fact]
    public async Task The_source_is_asked_again_every_CertificateReloadInterval()
    {
        await using var entra = await EntraAsync();
        var source = new ScriptedSource(_first.ToClientCertificate);
        var credential = Credential(entra, source, o => o.CertificateReloadInterval = TimeSpan.FromMinutes(5));
        source.Loads.Should().Be(1);

        _time.Advance(TimeSpan.FromMinutes(4));
        await Task.Delay(50);
        source.Loads.Should().Be(1, "not before the interval");
        source.Answer = _second.ToClientCertificate;
        _time.Advance(TimeSpan.FromMinutes(1));
        await Eventually.TrueAsync(() => credential.Thumbprint.Equals(_second.Thumbprint), "the timer's check switches to the new certificate");
        _time.Advance(TimeSpan.FromMinutes(5));
        await Eventually.TrueAsync(() => source.Loads == 3, "and asks again one interval later");
    }

    [Fact]
    public async Task The_same_thumbprint_changes_nothing_and_another_certificate_is_used_for_the_next_token_request()
    {
        await using var entra = await EntraAsync();
        var source = new ScriptedSource(_first.ToClientCertificate);
        var credential = Credential(entra, source);
        var token = await credential.GetTokenAsync();

        (await IntervalAsync(credential)).Should().Be(ReloadOutcome.Unchanged);
        credential.Thumbprint.Should().Be(_first.Thumbprint);

        source.Answer = _second.ToClientCertificate;
        (await IntervalAsync(credential)).Should().Be(ReloadOutcome.Switched);

        credential.Thumbprint.Should().Be(_second.Thumbprint);
        credential.CertificateSubject.Should().Be("CN=second");
        credential.CachedToken!.Value.Token.Should().Be(token.Token, "a cached token does not depend on the certificate once issued");
        (await credential.RefreshTokenAsync()).Token.Should().NotBe(token.Token);
        entra.Service.Requests.Select(r => r.Assertion!.GetHeaderValue<string>("x5t#S256")).Should().Equal(_first.X5tS256, _second.X5tS256);
        source.Loads.Should().Be(3, "at start and at each of the two checks");
        var switched = _logs.WithId(1300).Should().ContainSingle().Subject;
        switched.Message.Should().Contain(_first.Thumbprint.ToString()).And.Contain(_second.Thumbprint.ToString()).And.Contain("interval");
        _logs.WithId(1000).Should().HaveCount(2, "the key-loaded event names each certificate taken");
    }

    [Fact]
    public async Task A_source_asked_again_with_the_same_instance_keeps_it_and_a_new_instance_of_the_same_certificate_is_disposed()
    {
        await using var entra = await EntraAsync();
        var kept = _first.ToClientCertificate();
        var source = new ScriptedSource(() => kept);
        var credential = Credential(entra, source);

        (await IntervalAsync(credential)).Should().Be(ReloadOutcome.Unchanged);
        kept.IsDisposed.Should().BeFalse("the instance in use is not disposed because the source returned it again");

        var duplicate = _first.ToClientCertificate();
        source.Answer = () => duplicate;
        (await IntervalAsync(credential)).Should().Be(ReloadOutcome.Unchanged);
        duplicate.IsDisposed.Should().BeTrue("the credential owns what the source returns");
        (await credential.GetTokenAsync()).Token.Should().NotBeEmpty();
    }

    [Fact]
    public async Task A_failing_source_leaves_the_old_certificate_serving_reports_once_and_recovers()
    {
        await using var entra = await EntraAsync();
        var source = new ScriptedSource(_first.ToClientCertificate);
        var credential = Credential(entra, source);
        source.Answer = () => throw new InvalidOperationException("vault unreachable");

        (await IntervalAsync(credential)).Should().Be(ReloadOutcome.Deferred, "a first failure is tried again at the next check");
        credential.CertificateReloadFailure.Should().BeNull();
        _logs.WithId(1301).Should().BeEmpty();

        (await IntervalAsync(credential)).Should().Be(ReloadOutcome.Failed);
        (await IntervalAsync(credential)).Should().Be(ReloadOutcome.Failed);

        var failed = _logs.WithId(1301).Should().ContainSingle("an Error once per distinct failure").Subject;
        failed.Level.Should().Be(LogLevel.Error);
        failed.Message.Should().Contain("ScriptedSource").And.Contain(_first.Thumbprint.ToString());
        credential.CertificateReloadFailure!.Failure.Should().Be(CertificateCredentialFailure.CertificateSourceFailed);
        credential.CertificateReloadFailure.InnerException.Should().BeOfType<InvalidOperationException>();
        (await credential.GetTokenAsync()).Token.Should().NotBeEmpty("the old certificate keeps serving");

        source.Answer = _second.ToClientCertificate;
        (await IntervalAsync(credential)).Should().Be(ReloadOutcome.Switched);
        credential.CertificateReloadFailure.Should().BeNull();
        _logs.WithId(1306).Should().ContainSingle();
    }

    [Fact]
    public async Task Expiry_and_the_health_check_follow_the_certificate_switched_to()
    {
        await using var entra = await EntraAsync();
        // Whole seconds: a certificate's validity has no finer resolution.
        using var expiring = MadeCertificate.Create("CN=expiring", notAfter: TestClock.Start.AddDays(10));
        entra.Service.RegisterApplication(TestOptions.TenantId, TestOptions.ClientId, expiring.Certificate, LocalEntra.Resource);
        var source = new ScriptedSource(expiring.ToClientCertificate);
        var credential = Credential(entra, source);
        var health = new CertificateCredentialHealthCheck(() => credential, _time);

        credential.CertificateExpiresOn.Should().Be(TestClock.Start.AddDays(10));
        var before = await health.CheckHealthAsync(new HealthCheckContext());
        before.Status.Should().Be(HealthStatus.Degraded);
        before.Description.Should().Contain("in 10 days");
        before.Data["thumbprint"].Should().Be(expiring.Thumbprint.ToString());

        source.Answer = _second.ToClientCertificate;
        (await IntervalAsync(credential)).Should().Be(ReloadOutcome.Switched);

        credential.CertificateExpiresOn.Should().Be(new DateTimeOffset(_second.Certificate.NotAfter.ToUniversalTime()));
        credential.CertificateSubject.Should().Be("CN=second");
        var after = await health.CheckHealthAsync(new HealthCheckContext());
        after.Status.Should().Be(HealthStatus.Healthy, "the certificate now in use is valid until 2040");
        after.Data["thumbprint"].Should().Be(_second.Thumbprint.ToString());
        after.Data["certificateExpiresOn"].Should().Be(credential.CertificateExpiresOn);
    }

    [Fact]
    public async Task A_source_that_hangs_on_a_reload_is_bounded_by_RequestTimeout()
    {
        await using var entra = await EntraAsync();
        var source = new ScriptedSource(_first.ToClientCertificate);
        var credential = Credential(entra, source, o => o.RequestTimeout = TimeSpan.FromSeconds(5));
        source.Hang = true;

        var check = credential.Reloader.CheckAsync(ReloadTrigger.Interval);
        await Eventually.TrueAsync(() => source.Loads == 2, "the check asks the source");
        check.IsCompleted.Should().BeFalse();
        _time.Advance(TimeSpan.FromSeconds(5));

        (await check.WaitAsync(TimeSpan.FromSeconds(30))).Should().Be(ReloadOutcome.Deferred);
        (await credential.GetTokenAsync()).Token.Should().NotBeEmpty();
    }

    [Fact]
    public void A_source_that_fails_at_start_fails_the_constructor_typed()
    {
        var source = new ScriptedSource(() => throw new InvalidOperationException("no vault"));
        var refusal = FluentActions.Invoking(() => new CertificateClientCredential(TestOptions.Rsa2048(o =>
        {
            o.PrivateKeyPath = null;
            o.CertificatePath = null;
            o.CertificateSource = source;
        }))).Should().Throw<CertificateCredentialException>().Which;

        refusal.Failure.Should().Be(CertificateCredentialFailure.CertificateSourceFailed);
        refusal.Message.Should().Contain("ScriptedSource").And.NotContain("no vault");
        refusal.InnerException!.Message.Should().Be("no vault");
    }

    [Fact]
    public void A_source_beside_key_options_is_refused_at_start()
    {
        var refusal = FluentActions.Invoking(() => new CertificateClientCredential(TestOptions.Rsa2048(o => o.CertificateSource = new ScriptedSource(_first.ToClientCertificate))))
            .Should().Throw<CertificateCredentialException>().Which;
        refusal.Failure.Should().Be(CertificateCredentialFailure.InvalidOptions);
        refusal.Message.Should().Contain("CertificateSource is set, and so is PrivateKeyPath, CertificatePath");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0.5)]
    [InlineData(86401)]
    public void A_reload_interval_out_of_range_is_refused(double seconds)
    {
        FluentActions.Invoking(() => new CertificateClientCredential(TestOptions.Rsa2048(o => o.CertificateReloadInterval = TimeSpan.FromSeconds(seconds))))
            .Should().Throw<CertificateCredentialException>().Which.Message.Should().Contain("CertificateReloadInterval");
    }

    [Fact]
    public async Task Reloads_are_counted_by_outcome_and_trigger()
    {
        await using var entra = await EntraAsync();
        var source = new ScriptedSource(_first.ToClientCertificate);
        var credential = Credential(entra, source);
        using var reloads = new MetricCollector<long>(CredentialTelemetry.CertificateReloads);

        await IntervalAsync(credential);
        source.Answer = _second.ToClientCertificate;
        await IntervalAsync(credential);

        var counted = reloads.GetMeasurementSnapshot().Select(m => (m.Value, (string)m.Tags["outcome"]!, (string)m.Tags["trigger"]!));
        counted.Should().Equal((1L, "unchanged", "interval"), (1L, "switched", "interval"));
    }

    [Fact]
    public async Task A_meter_listener_that_throws_does_not_turn_a_switch_into_a_reported_failure()
    {
        await using var entra = await EntraAsync();
        var source = new ScriptedSource(_first.ToClientCertificate);
        var credential = Credential(entra, source);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "CertCredentials" && instrument.Name == "certcredentials.certificate.reloads")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, _, _) => throw new InvalidOperationException("a broken listener"));
        listener.Start();

        source.Answer = _second.ToClientCertificate;

        (await IntervalAsync(credential)).Should().Be(ReloadOutcome.Switched);
        credential.Thumbprint.Should().Be(_second.Thumbprint);
        credential.CertificateReloadFailure.Should().BeNull("the health check is not turned Degraded by a listener");
        _logs.WithId(1301).Should().BeEmpty();
        (await IntervalAsync(credential)).Should().Be(ReloadOutcome.Unchanged);
    }
}
