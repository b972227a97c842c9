using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using CertCredentials.Caching;
using CertCredentials.Configuration;
using CertCredentials.Diagnostics;
using CertCredentials.Tests.Diagnostics;
using CertCredentials.Tests.Infrastructure;
using CertCredentials.TokenEndpoint;
using Microsoft.Extensions.Time.Testing;

namespace CertCredentials.Tests.Caching;

/// <summary>
/// What the cache tells operators: which log event for each outcome (with its values), the cache hit and miss
/// counters, the acquisition duration by outcome, the failure counter's tags, and the acquisition activity.
/// </summary>
[Collection(TelemetryListeners.Name)]
public sealed class TokenCacheObservabilityTests : IDisposable
{
    private const string Scope = "https://observability.cache.test/.default";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(TestClock.Start);
    private readonly ConcurrentQueue<Func<Task<TokenResponse>>> _script = new();
    private readonly LogCapture _logs = new();
    private readonly TokenCache _cache;
    private readonly MeterListener _meters = new();
    private readonly ActivityListener _activities;
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = new();
    private readonly ConcurrentQueue<Activity> _stopped = new();

    public TokenCacheObservabilityTests()
    {
        var settings = CredentialSettings.From(TestOptions.Rsa2048(o => o.Scope = Scope)) with { RetryDelay = TimeSpan.FromSeconds(1), MaxRetryDelay = TimeSpan.FromSeconds(10) };
        _cache = new TokenCache((_, _) => _script.TryDequeue(out var next) ? next() : throw new InvalidOperationException("no scripted answer"), settings, _time, _logs.Logger(), jitter: () => 0);

        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == CredentialTelemetry.Name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meters.Start();

        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == CredentialTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (Equals(activity.GetTagItem("certcredentials.scope"), Scope))
                {
                    _stopped.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_activities);
    }

    public void Dispose()
    {
        _cache.Dispose();
        _meters.Dispose();
        _activities.Dispose();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        _measurements.Enqueue((instrument.Name, value, copy));
    }

    private List<(string Instrument, double Value, Dictionary<string, object?> Tags)> Measured(string instrument) =>
        [.. _measurements.Where(m => m.Instrument == instrument)];

    private void Answer(string token, string? clamped = null) =>
        _script.Enqueue(() => Task.FromResult(new TokenResponse(token, TimeSpan.FromHours(1), null, "corr-1", clamped)));

    private void Fail(Exception exception) => _script.Enqueue(() => Task.FromException<TokenResponse>(exception));

    /// <summary>A call, then the wait until its acquisition (if any) has also reported: reporting follows the answer.</summary>
    private async Task<AccessToken> GetAsync()
    {
        try
        {
            return await _cache.GetAsync(CancellationToken.None).AsTask().WaitAsync(Wait);
        }
        finally
        {
            await Eventually.TrueAsync(() => !_cache.IsAcquiring, "the acquisition has reported");
        }
    }

    private static object? Value(LogCapture.Entry entry, string name) => entry.Values.Single(v => v.Key == name).Value;

    [Fact]
    public async Task A_cold_acquisition_then_a_hit_log_acquired_and_served_and_count_a_miss_and_a_hit()
    {
        Answer("t1");
        await GetAsync();
        await GetAsync();

        var acquired = _logs.WithId(1100).Should().ContainSingle().Subject;
        Value(acquired, "Scope").Should().Be(Scope);
        Value(acquired, "CorrelationId").Should().Be("corr-1");
        Value(_logs.WithId(1101).Should().ContainSingle().Subject, "Scope").Should().Be(Scope);
        _logs.WithId(1102).Should().BeEmpty("no refresh was started");
        _logs.WithId(1103).Should().BeEmpty();
        _logs.WithId(1109).Should().BeEmpty("no claims were asked for");

        Measured("certcredentials.cache.misses").Should().ContainSingle().Which.Value.Should().Be(1);
        Measured("certcredentials.cache.hits").Should().ContainSingle().Which.Value.Should().Be(1);
        Measured("certcredentials.token.acquisition.duration").Should().ContainSingle().Which.Tags["outcome"].Should().Be("success");

        var activity = _stopped.Should().ContainSingle().Subject;
        activity.OperationName.Should().Be("CertCredentials.AcquireToken");
        activity.Status.Should().Be(ActivityStatusCode.Ok);
        activity.GetTagItem("certcredentials.client_id").Should().Be(TestOptions.ClientId);
        activity.GetTagItem("certcredentials.tenant").Should().Be(TestOptions.TenantId);
        activity.GetTagItem("certcredentials.refresh").Should().Be(false);
        activity.GetTagItem("server.address").Should().Be("login.microsoftonline.com");
    }

    [Fact]
    public async Task A_background_refresh_logs_its_start_and_end_and_is_tagged_as_a_refresh()
    {
        Answer("t1");
        await GetAsync();
        _time.Advance(TimeSpan.FromMinutes(31));
        Answer("t2");
        await GetAsync();
        await Eventually.TrueAsync(() => _cache.Current?.Token.Token == "t2" && _stopped.Count == 2, "the refresh finishes");

        Value(_logs.WithId(1102).Should().ContainSingle().Subject, "Scope").Should().Be(Scope);
        await Eventually.TrueAsync(() => _logs.WithId(1103).Any(), "the refresh's end is logged");
        _stopped.Last().GetTagItem("certcredentials.refresh").Should().Be(true);
    }

    [Fact]
    public async Task A_failed_refresh_while_the_token_is_valid_logs_a_warning_not_an_error()
    {
        Answer("t1");
        await GetAsync();
        _time.Advance(TimeSpan.FromMinutes(31));
        Fail(new TokenEndpointException(CertificateCredentialFailure.TokenEndpointUnavailable, "503", statusCode: 503, isRetryable: true));
        await GetAsync();
        await Eventually.TrueAsync(() => _logs.WithId(1104).Any(), "the failed refresh is logged");

        _logs.WithId(1106).Should().BeEmpty("callers still have a valid token: not an acquisition failure");
        _stopped.Last().Status.Should().Be(ActivityStatusCode.Error);
        _stopped.Last().StatusDescription.Should().Be(nameof(TokenEndpointException));
    }

    [Fact]
    public async Task A_failure_is_logged_with_its_codes_and_counted_with_its_kind_and_aadsts_code()
    {
        Fail(new TokenEndpointException(CertificateCredentialFailure.TokenRequestRejected, "AADSTS700027", statusCode: 401, errorCodes: [700027, 5], correlationId: "corr-2"));
        await FluentActions.Awaiting(GetAsync).Should().ThrowAsync<TokenEndpointException>();

        var failed = _logs.WithId(1106).Should().ContainSingle().Subject;
        Value(failed, "Failure").Should().Be(CertificateCredentialFailure.TokenRequestRejected);
        Value(failed, "StatusCode").Should().Be(401);
        Value(failed, "ErrorCode").Should().Be(700027);
        Value(failed, "CorrelationId").Should().Be("corr-2");
        _logs.WithId(1110).Should().BeEmpty("a rejection is not retried, so there is no pause");

        var counted = Measured("certcredentials.token.failures").Should().ContainSingle().Subject;
        counted.Tags["failure"].Should().Be("TokenRequestRejected");
        counted.Tags["error.code"].Should().Be("700027");
        Measured("certcredentials.token.acquisition.duration").Should().ContainSingle().Which.Tags["outcome"].Should().Be("failure");
    }

    [Fact]
    public async Task A_failure_without_an_aadsts_code_is_counted_with_its_status_code()
    {
        Fail(new TokenEndpointException(CertificateCredentialFailure.TokenEndpointUnavailable, "503", statusCode: 503, isRetryable: true));
        await FluentActions.Awaiting(GetAsync).Should().ThrowAsync<TokenEndpointException>();
        Measured("certcredentials.token.failures").Should().ContainSingle().Which.Tags["error.code"].Should().Be("503");
        Value(_logs.WithId(1106).Single(), "ErrorCode").Should().BeNull();
    }

    [Fact]
    public async Task An_unexpected_exception_reaches_callers_typed_and_is_counted_and_logged_as_endpoint_unavailable()
    {
        Fail(new HttpRequestException("connection refused"));
        (await FluentActions.Awaiting(GetAsync).Should().ThrowAsync<TokenEndpointException>()).Which.InnerException.Should().BeOfType<HttpRequestException>();
        var counted = Measured("certcredentials.token.failures").Should().ContainSingle().Subject;
        counted.Tags["failure"].Should().Be(nameof(CertificateCredentialFailure.TokenEndpointUnavailable));
        counted.Tags["error.code"].Should().BeNull();
        Value(_logs.WithId(1106).Single(), "Failure").Should().Be(CertificateCredentialFailure.TokenEndpointUnavailable);
    }

    [Fact]
    public async Task Consecutive_transient_failures_log_the_pause_from_the_second_one()
    {
        Fail(new TokenEndpointException(CertificateCredentialFailure.TokenEndpointUnavailable, "503", statusCode: 503, isRetryable: true));
        await FluentActions.Awaiting(GetAsync).Should().ThrowAsync<TokenEndpointException>();
        _logs.WithId(1110).Should().BeEmpty("one failure is not yet a pattern");

        _time.Advance(TimeSpan.FromSeconds(1));
        Fail(new TokenEndpointException(CertificateCredentialFailure.TokenEndpointUnavailable, "503", statusCode: 503, isRetryable: true));
        await FluentActions.Awaiting(GetAsync).Should().ThrowAsync<TokenEndpointException>();
        var paused = _logs.WithId(1110).Should().ContainSingle().Subject;
        Value(paused, "Failures").Should().Be(2);
        Value(paused, "RetryAt").Should().Be(_time.GetUtcNow().AddSeconds(2));
    }

    [Fact]
    public async Task With_no_back_off_delay_consecutive_failures_log_no_pause()
    {
        // RetryDelay 0 is allowed: the next call may try again at once, so there is no pause to announce.
        var logs = new LogCapture();
        var settings = CredentialSettings.From(TestOptions.Rsa2048(o => o.Scope = Scope)) with { RetryDelay = TimeSpan.Zero };
        using var cache = new TokenCache((_, _) => Task.FromException<TokenResponse>(
            new TokenEndpointException(CertificateCredentialFailure.TokenEndpointUnavailable, "503", statusCode: 503, isRetryable: true)), settings, _time, logs.Logger(), jitter: () => 0);

        for (var i = 0; i < 3; i++)
        {
            await FluentActions.Awaiting(() => cache.GetAsync(CancellationToken.None).AsTask().WaitAsync(Wait)).Should().ThrowAsync<TokenEndpointException>();
            await Eventually.TrueAsync(() => !cache.IsAcquiring, "the failure has reported");
        }

        logs.WithId(1106).Should().HaveCount(3, "each call tried again, at once");
        logs.WithId(1110).Should().BeEmpty();
    }

    [Fact]
    public async Task An_acquisition_stopped_by_disposal_ends_its_span_tagged_as_disposed_not_failed()
    {
        var pending = new TaskCompletionSource<TokenResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _script.Enqueue(() => pending.Task);
        var call = _cache.GetAsync(CancellationToken.None).AsTask();
        await Eventually.TrueAsync(() => _script.IsEmpty, "the request is under way");

        _cache.Dispose();
        pending.SetException(new OperationCanceledException());

        await FluentActions.Awaiting(() => call.WaitAsync(Wait)).Should().ThrowAsync<CertificateCredentialException>();
        await Eventually.TrueAsync(() => !_stopped.IsEmpty, "the span is ended");
        var activity = _stopped.Should().ContainSingle().Subject;
        activity.GetTagItem("certcredentials.disposed").Should().Be(true);
        activity.Status.Should().Be(ActivityStatusCode.Unset, "a shutdown is not an error");
        Measured("certcredentials.token.failures").Should().BeEmpty("a shutdown is not counted as a failure");
    }

    [Fact]
    public async Task A_failed_forced_refresh_is_logged_as_a_failed_acquisition_even_with_a_valid_token()
    {
        Answer("t1");
        await GetAsync();
        Fail(new TokenEndpointException(CertificateCredentialFailure.TokenEndpointUnavailable, "503", statusCode: 503, isRetryable: true));
        await FluentActions.Awaiting(() => _cache.RefreshAsync(null, CancellationToken.None)).Should().ThrowAsync<TokenEndpointException>();
        await Eventually.TrueAsync(() => !_cache.IsAcquiring, "the acquisition has reported");
        _logs.WithId(1106).Should().ContainSingle();
        _logs.WithId(1104).Should().BeEmpty("it was not a background refresh");
    }

    [Fact]
    public async Task Invalidation_claims_and_a_clamped_lifetime_are_logged()
    {
        Answer("t1", clamped: "999999999");
        await GetAsync();
        _logs.WithId(1107).Should().ContainSingle();
        _cache.Invalidate("t1");
        Value(_logs.WithId(1108).Should().ContainSingle().Subject, "Scope").Should().Be(Scope);

        Answer("t2");
        await _cache.RefreshAsync("{\"access_token\":{}}", CancellationToken.None).WaitAsync(Wait);
        Value(_logs.WithId(1109).Should().ContainSingle().Subject, "Scope").Should().Be(Scope);
        _cache.Invalidate("t1");
        _logs.WithId(1108).Should().ContainSingle("a token that is no longer cached is not dropped again");
    }
}
