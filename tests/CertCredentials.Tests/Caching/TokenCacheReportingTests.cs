using System.Diagnostics;
using System.Security.Cryptography;
using CertCredentials.Caching;
using CertCredentials.Configuration;
using CertCredentials.Tests.Infrastructure;
using CertCredentials.TokenEndpoint;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace CertCredentials.Tests.Caching;

/// <summary>
/// Reporting never changes what callers get: a logger that throws neither leaves waiters hanging nor replaces a token
/// with its exception; every failure reaching a caller is typed; disposal is a shutdown, not a failure; the events of
/// a pair name its tenant; a background refresh runs in a clean execution context.
/// </summary>
public sealed class TokenCacheReportingTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new(TestClock.Start);

    private static CredentialSettings Settings { get; } = CredentialSettings.From(TestOptions.Rsa2048()) with
    {
        RetryDelay = TimeSpan.FromSeconds(1),
        MaxRetryDelay = TimeSpan.FromSeconds(10),
    };

    private static TokenResponse Token(string token) => new(token, TimeSpan.FromHours(1), null, "c", null);

    private static TokenEndpointException Unavailable() =>
        new(CertificateCredentialFailure.TokenEndpointUnavailable, "503 from the endpoint", statusCode: 503, isRetryable: true);

    [Fact]
    public async Task A_throwing_logger_does_not_leave_the_waiters_of_a_failed_request_hanging()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var logger = new ThrowingLogger();
        using var cache = new TokenCache(async (_, _) =>
        {
            await gate.Task;
            throw new CertificateCredentialException(CertificateCredentialFailure.TokenRequestRejected, "invalid_client");
        }, Settings, _time, logger);

        var waiters = Enumerable.Range(0, 5).Select(_ => cache.GetAsync(CancellationToken.None).AsTask()).ToArray();
        gate.SetResult();

        foreach (var waiter in waiters)
        {
            var e = await FluentActions.Awaiting(() => waiter.WaitAsync(Wait)).Should().ThrowAsync<CertificateCredentialException>("each waiter gets the failure, not a hang");
            e.Which.Failure.Should().Be(CertificateCredentialFailure.TokenRequestRejected, "the logger's exception does not replace the real failure");
        }

        logger.Thrown.Should().BeGreaterThan(0, "the failure was reported, and the logger threw");
        cache.LastFailure.Should().BeOfType<CertificateCredentialException>();
        cache.IsAcquiring.Should().BeFalse();
    }

    [Fact]
    public async Task A_throwing_logger_does_not_replace_the_token_with_its_exception()
    {
        var logger = new ThrowingLogger();
        var answers = new Queue<TokenResponse>([Token("first"), Token("second")]);
        using var cache = new TokenCache((_, _) => Task.FromResult(answers.Dequeue()), Settings, _time, logger);

        (await cache.GetAsync(CancellationToken.None).AsTask().WaitAsync(Wait)).Token.Should().Be("first");
        (await cache.GetAsync(CancellationToken.None).AsTask().WaitAsync(Wait)).Token.Should().Be("first", "a cached hit logs at Trace, which throws");
        cache.LastFailure.Should().BeNull();

        _time.Advance(TimeSpan.FromMinutes(31));
        (await cache.GetAsync(CancellationToken.None).AsTask().WaitAsync(Wait)).Token.Should().Be("first", "starting the background refresh logs, which throws");
        await Eventually.TrueAsync(() => cache.Current?.Token.Token == "second", "the refresh completes despite its logs");
        cache.Invalidate("second").Should().BeTrue("invalidation logs too");
        logger.Thrown.Should().BeGreaterThan(3);
    }

    [Theory]
    [InlineData(typeof(CryptographicException))]
    [InlineData(typeof(ObjectDisposedException))]
    [InlineData(typeof(InvalidOperationException))]
    public async Task A_failure_of_any_type_reaches_callers_as_a_credential_exception_and_is_the_last_failure(Type type)
    {
        var original = type == typeof(ObjectDisposedException) ? new ObjectDisposedException("HttpClient") : (Exception)Activator.CreateInstance(type, "boom")!;
        using var cache = new TokenCache((_, _) => Task.FromException<TokenResponse>(original), Settings, _time, new LogCapture().Logger());

        var e = await FluentActions.Awaiting(() => cache.GetAsync(CancellationToken.None).AsTask().WaitAsync(Wait)).Should().ThrowAsync<CertificateCredentialException>();

        e.Which.InnerException.Should().BeSameAs(original);
        e.Which.IsRetryable.Should().BeFalse("the same call would fail the same way; it is not a reason to back off");
        e.Which.Message.Should().Contain(type.Name).And.Contain(Settings.TenantId);
        cache.LastFailure.Should().BeSameAs(e.Which);
    }

    [Fact]
    public async Task The_callers_cancellation_stays_an_operation_canceled_exception()
    {
        var gate = new TaskCompletionSource<TokenResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cache = new TokenCache((_, _) => gate.Task, Settings, _time, new LogCapture().Logger());
        using var cancel = new CancellationTokenSource();
        var call = cache.GetAsync(cancel.Token).AsTask();

        cancel.Cancel();

        await FluentActions.Awaiting(() => call.WaitAsync(Wait)).Should().ThrowAsync<OperationCanceledException>();
        gate.SetResult(Token("late"));
        await Eventually.TrueAsync(() => cache.Current is not null, "the shared request goes on for the others");
    }

    [Fact]
    public async Task Disposing_during_a_request_is_logged_once_at_debug_not_as_a_failure()
    {
        var logs = new LogCapture();
        var disposal = new DisposalNotice();
        var started = 0;
        Task<TokenResponse> Pending(CancellationToken token)
        {
            Interlocked.Increment(ref started);
            return Task.Delay(Timeout.Infinite, token).ContinueWith<TokenResponse>(_ => throw new OperationCanceledException(token), TaskScheduler.Default);
        }

        // Two pairs of one credential, both acquiring when it is disposed: one shutdown, one event.
        using var own = new TokenCache((_, token) => Pending(token), Settings, _time, logs.Logger(), disposal: disposal);
        using var other = new TokenCache((_, token) => Pending(token), Settings with { TenantId = "contoso.onmicrosoft.com" }, _time, logs.Logger(), disposal: disposal);
        var calls = new[] { own.GetAsync(CancellationToken.None).AsTask(), other.GetAsync(CancellationToken.None).AsTask() };
        await Eventually.TrueAsync(() => Volatile.Read(ref started) == 2, "both requests are under way");

        own.Dispose();
        other.Dispose();

        foreach (var call in calls)
        {
            (await FluentActions.Awaiting(() => call.WaitAsync(Wait)).Should().ThrowAsync<CertificateCredentialException>())
                .Which.Failure.Should().Be(CertificateCredentialFailure.Disposed);
        }

        await Eventually.TrueAsync(() => logs.WithId(1111).Any(), "the disposal is reported");
        await Task.Delay(100); // the other flight's report, had it been made
        logs.WithId(1111).Should().ContainSingle().Which.Level.Should().Be(LogLevel.Debug);
        logs.WithId(1106).Should().BeEmpty("a shutdown is not a failed acquisition");
        logs.Entries.Should().NotContain(e => e.Level >= LogLevel.Warning);
        own.LastFailure.Should().BeNull();
        other.LastFailure.Should().BeNull();
    }

    [Fact]
    public async Task Disposing_during_a_background_refresh_is_not_a_failure()
    {
        var logs = new LogCapture();
        var refreshing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        using var cache = new TokenCache((_, token) =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                return Task.FromResult(Token("first"));
            }

            refreshing.TrySetResult();
            return Task.Delay(Timeout.Infinite, token).ContinueWith<TokenResponse>(_ => throw new OperationCanceledException(token), TaskScheduler.Default);
        }, Settings, _time, logs.Logger());
        await cache.GetAsync(CancellationToken.None).AsTask().WaitAsync(Wait);
        _time.Advance(TimeSpan.FromMinutes(31));
        await cache.GetAsync(CancellationToken.None).AsTask().WaitAsync(Wait);
        await refreshing.Task.WaitAsync(Wait);

        cache.Dispose();

        await Eventually.TrueAsync(() => logs.WithId(1111).Any(), "the disposal is reported");
        logs.Entries.Should().NotContain(e => e.Level >= LogLevel.Warning, "neither 1104 nor 1106: the refresh was stopped, it did not fail");
    }

    [Fact]
    public async Task The_events_of_a_pair_name_its_tenant_and_scope()
    {
        var logs = new LogCapture();
        const string tenant = "contoso.onmicrosoft.com";
        const string scope = "https://api.contoso.test/.default";
        var answers = new Queue<Func<Task<TokenResponse>>>([
            () => Task.FromException<TokenResponse>(Unavailable()),
            () => Task.FromException<TokenResponse>(Unavailable()),
            () => Task.FromResult(Token("ok")),
        ]);
        using var cache = new TokenCache((_, _) => answers.Dequeue()(), Settings with { TenantId = tenant, Scope = scope }, _time, logs.Logger(), jitter: () => 0);

        await FluentActions.Awaiting(() => cache.GetAsync(CancellationToken.None).AsTask().WaitAsync(Wait)).Should().ThrowAsync<TokenEndpointException>();
        _time.Advance(TimeSpan.FromSeconds(1));
        await FluentActions.Awaiting(() => cache.GetAsync(CancellationToken.None).AsTask().WaitAsync(Wait)).Should().ThrowAsync<TokenEndpointException>();
        _time.Advance(TimeSpan.FromSeconds(2));
        await cache.GetAsync(CancellationToken.None).AsTask().WaitAsync(Wait);
        await cache.GetAsync(CancellationToken.None).AsTask().WaitAsync(Wait);

        foreach (var id in new[] { 1100, 1101, 1106, 1110 })
        {
            var entry = logs.WithId(id).Should().NotBeEmpty($"event {id} is logged").And.Subject.First();
            entry.Values.Should().Contain(v => v.Key == "Tenant" && Equals(v.Value, tenant), $"event {id} names the tenant");
            entry.Values.Should().Contain(v => v.Key == "Scope" && Equals(v.Value, scope), $"event {id} names the scope");
            entry.Message.Should().Contain(tenant).And.Contain(scope);
        }
    }

    [Fact]
    public async Task The_back_off_after_failures_is_jittered_within_a_fifth_of_its_nominal_value()
    {
        var random = new Random(20261202);
        var waits = new List<TimeSpan>();
        for (var i = 0; i < 50; i++)
        {
            using var cache = new TokenCache((_, _) => Task.FromException<TokenResponse>(Unavailable()), Settings, _time, new LogCapture().Logger(), jitter: random.NextDouble);
            await FluentActions.Awaiting(() => cache.GetAsync(CancellationToken.None).AsTask().WaitAsync(Wait)).Should().ThrowAsync<TokenEndpointException>();
            var cooling = await FluentActions.Awaiting(() => cache.GetAsync(CancellationToken.None).AsTask().WaitAsync(Wait)).Should().ThrowAsync<TokenEndpointException>();
            waits.Add(cooling.Which.RetryAfter!.Value);
        }

        waits.Should().OnlyContain(w => w > TimeSpan.FromSeconds(0.8) && w <= TimeSpan.FromSeconds(1), "never longer than the nominal 1 s, never under 80% of it");
        waits.Distinct().Count().Should().BeGreaterThan(25, "caches that failed together do not retry together");
    }

    [Fact]
    public async Task A_background_refresh_carries_neither_the_callers_activity_nor_its_execution_context()
    {
        var ambient = new AsyncLocal<string?>();
        var seen = new List<(Activity? Activity, string? Ambient)>();
        var answers = new Queue<TokenResponse>([Token("first"), Token("second")]);
        using var cache = new TokenCache((_, _) =>
        {
            lock (seen)
            {
                seen.Add((Activity.Current, ambient.Value));
            }

            return Task.FromResult(answers.Dequeue());
        }, Settings, _time, new LogCapture().Logger());
        await cache.GetAsync(CancellationToken.None).AsTask().WaitAsync(Wait);
        _time.Advance(TimeSpan.FromMinutes(31));

        using (var caller = new Activity("incoming request").Start())
        {
            ambient.Value = "the caller's";
            (await cache.GetAsync(CancellationToken.None).AsTask().WaitAsync(Wait)).Token.Should().Be("first");
            await Eventually.TrueAsync(() => cache.Current?.Token.Token == "second", "the refresh runs");
        }

        seen.Should().HaveCount(2);
        seen[1].Activity.Should().BeNull("the refresh serves every later caller: it is nobody's child span");
        seen[1].Ambient.Should().BeNull("nothing of the triggering caller's execution context flows into it");
    }

    [Fact]
    public async Task A_background_refresh_runs_for_a_caller_that_already_suppressed_execution_context_flow()
    {
        var answers = new Queue<TokenResponse>([Token("first"), Token("second")]);
        using var cache = new TokenCache((_, _) => Task.FromResult(answers.Dequeue()), Settings, _time, new LogCapture().Logger());
        await cache.GetAsync(CancellationToken.None).AsTask().WaitAsync(Wait);
        _time.Advance(TimeSpan.FromMinutes(31));

        ValueTask<AccessToken> served;
        using (ExecutionContext.SuppressFlow())
        {
            served = cache.GetAsync(CancellationToken.None);
        }

        (await served.AsTask().WaitAsync(Wait)).Token.Should().Be("first", "the usable token is served while the refresh runs");
        await Eventually.TrueAsync(() => cache.Current?.Token.Token == "second", "the refresh runs although no context could flow into it");
    }
}
