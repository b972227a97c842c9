using System.Collections.Concurrent;
using CertCredentials.Caching;
using CertCredentials.Configuration;
using CertCredentials.Tests.Infrastructure;
using CertCredentials.TokenEndpoint;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CertCredentials.Tests.Caching;

/// <summary>
/// Where a flight runs and what it leaves behind: on the caller's thread when nothing is captured, on the pool under a
/// synchronization context or a custom scheduler (and nothing posted to that context); what the cache tells its
/// table of each change; <see cref="TokenCache.IsAcquiring"/> until the outcome is reported; nothing started for a
/// caller who cancelled first; a failed refresh at the very end of the token's use.
/// </summary>
public sealed class TokenCacheFlightTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly CredentialSettings Settings = CredentialSettings.From(TestOptions.Rsa2048()) with
    {
        RetryDelay = TimeSpan.FromSeconds(1),
        MaxRetryDelay = TimeSpan.FromSeconds(10),
        ExpirationMargin = TimeSpan.FromMinutes(5),
        RefreshRatio = 0.5,
    };

    private readonly FakeTimeProvider _time = new(TestClock.Start);

    private static TokenResponse Token(string value) => new(value, TimeSpan.FromHours(1), null, "c", null);

    [Fact]
    public async Task Callers_on_an_unpumped_single_threaded_context_get_their_token_and_nothing_is_posted_to_it()
    {
        // The acquire function resumes on whatever context it captured, as an HttpClient handler may: were the flight
        // run on the blocked thread, or any of the cache's awaits resume on its context, no caller would ever be answered.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var requests = 0;
        async Task<TokenResponse> AcquireAsync(string? claims, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref requests);
#pragma warning disable CA2007 // on purpose: a handler that captures the caller's context
            await release.Task;
#pragma warning restore CA2007
            return Token("token " + n);
        }

        using var cache = new TokenCache(AcquireAsync, Settings, _time, NullLogger.Instance);
        var context = new UnpumpedSynchronizationContext();
        Task<AccessToken>[] calls = [];
        var thread = new Thread(() =>
        {
            SynchronizationContext.SetSynchronizationContext(context);
            calls =
            [
                cache.GetAsync(CancellationToken.None).AsTask(), // starts the flight
                cache.GetAsync(CancellationToken.None).AsTask(), // waits for it
                cache.RefreshAsync("{}", CancellationToken.None), // starts a forced one
                cache.RefreshAsync("{}", CancellationToken.None), // waits for that
            ];
        }) { IsBackground = true, Name = "UI thread" };
        thread.Start();
        (await Task.Run(() => thread.Join(Wait))).Should().BeTrue();
        await Eventually.TrueAsync(() => Volatile.Read(ref requests) == 2, "both flights are under way");

        release.SetResult();

        var tokens = await Task.WhenAll(calls).WaitAsync(Wait);
        tokens.Select(t => t.Token).Should().BeEquivalentTo(["token 1", "token 1", "token 2", "token 2"], o => o.WithoutStrictOrdering());
        tokens[0].Token.Should().Be(tokens[1].Token, "the second caller shared the first one's request");
        tokens[2].Token.Should().Be(tokens[3].Token);
        context.Posted.Should().Be(0, "nothing needed the blocked thread");
    }

    [Fact]
    public async Task Without_a_context_or_scheduler_to_capture_the_flight_starts_on_the_callers_thread_within_the_call()
    {
        var (cache, ranInCall) = CacheRecordingWhereItRuns();
        using (cache)
        {
            await Task.Run(async () =>
            {
                SynchronizationContext.Current.Should().BeNull();
                (await ranInCall(() => cache.GetAsync(CancellationToken.None).AsTask())).Should().BeTrue("the cold flight ran inside the call, on its thread");
                (await ranInCall(() => cache.RefreshAsync(null, CancellationToken.None))).Should().BeTrue("so did the forced one");
            });
        }
    }

    [Fact]
    public async Task Under_a_custom_task_scheduler_the_flight_goes_to_the_thread_pool()
    {
        var (cache, ranInCall) = CacheRecordingWhereItRuns();
        using (cache)
        {
            var exclusive = new ConcurrentExclusiveSchedulerPair().ExclusiveScheduler;
            var outcome = await Task.Factory.StartNew(async () =>
            {
                TaskScheduler.Current.Should().BeSameAs(exclusive);
                return await ranInCall(() => cache.GetAsync(CancellationToken.None).AsTask());
            }, CancellationToken.None, TaskCreationOptions.None, exclusive).Unwrap().WaitAsync(Wait);

            outcome.Should().BeFalse("a scheduler that runs one task at a time must not be held by the request");
        }
    }

    [Fact]
    public async Task Stays_acquiring_while_the_outcome_is_reported_after_the_callers_have_their_token()
    {
        var gate = new TaskCompletionSource<TokenResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var logger = new BlockingLogger(eventId: 1100); // "acquired": the report after the answer
        using var cache = new TokenCache((_, _) => gate.Task, Settings, _time, logger);
        var first = cache.GetAsync(CancellationToken.None).AsTask();
        var second = cache.GetAsync(CancellationToken.None).AsTask();
        cache.IsAcquiring.Should().BeTrue("the request is under way");

        gate.SetResult(Token("t1"));
        logger.Entered.Wait(Wait).Should().BeTrue("the success is being reported");

        (await second.WaitAsync(Wait)).Token.Should().Be("t1", "a waiter has its answer before the report");
        cache.IsAcquiring.Should().BeTrue("the flight is over but still reporting");

        logger.Release();
        (await first.WaitAsync(Wait)).Token.Should().Be("t1");
        await Eventually.TrueAsync(() => !cache.IsAcquiring, "everything the flight does is done");
    }

    [Fact]
    public async Task Tells_its_table_of_every_change_once_and_of_its_disposal_once()
    {
        var told = new ConcurrentQueue<string?>();
        var n = 0;
        var cache = new TokenCache((_, _) => Task.FromResult(Token("t" + Interlocked.Increment(ref n))), Settings, _time, NullLogger.Instance,
            changed: token => told.Enqueue(token?.Token.Token));

        await cache.GetAsync(CancellationToken.None).AsTask().WaitAsync(Wait);
        cache.Invalidate("t1").Should().BeTrue();
        cache.Invalidate("t1").Should().BeFalse();
        await cache.GetAsync(CancellationToken.None).AsTask().WaitAsync(Wait);
        cache.Dispose();
        cache.Dispose();

        told.Should().Equal("t1", null, "t2", null);
    }

    [Fact]
    public async Task A_caller_who_cancelled_before_a_cold_call_starts_nothing()
    {
        var requests = 0;
        using var cache = new TokenCache((_, _) =>
        {
            Interlocked.Increment(ref requests);
            return Task.FromResult(Token("t"));
        }, Settings, _time, NullLogger.Instance);

        await FluentActions.Awaiting(() => cache.GetAsync(new CancellationToken(canceled: true)).AsTask()).Should().ThrowAsync<OperationCanceledException>();

        cache.IsAcquiring.Should().BeFalse("no flight was started for nobody");
        await Task.Delay(50); // a flight started on the pool would have sent by now
        requests.Should().Be(0);
        cache.IsAcquiring.Should().BeFalse();
    }

    [Fact]
    public async Task Disposal_during_a_request_leaves_no_flight_behind()
    {
        var pending = new TaskCompletionSource<TokenResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        var cache = new TokenCache((_, _) => pending.Task, Settings, _time, NullLogger.Instance);
        var call = cache.GetAsync(CancellationToken.None).AsTask();

        cache.Dispose();
        pending.SetException(new OperationCanceledException());

        (await FluentActions.Awaiting(() => call.WaitAsync(Wait)).Should().ThrowAsync<CertificateCredentialException>())
            .Which.Failure.Should().Be(CertificateCredentialFailure.Disposed);
        await Eventually.TrueAsync(() => !cache.IsAcquiring, "the stopped flight is cleared, not left as under way");
    }

    [Fact]
    public async Task A_refresh_failing_at_the_very_end_of_the_tokens_use_does_not_extend_it()
    {
        var refresh = new TaskCompletionSource<TokenResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        var n = 0;
        using var cache = new TokenCache((_, _) => Interlocked.Increment(ref n) == 1 ? Task.FromResult(Token("first")) : refresh.Task,
            Settings, _time, NullLogger.Instance, jitter: () => 0);
        await cache.GetAsync(CancellationToken.None).AsTask().WaitAsync(Wait);
        var first = cache.Current!;
        _time.Advance(TimeSpan.FromMinutes(31));
        await cache.GetAsync(CancellationToken.None).AsTask().WaitAsync(Wait); // starts the background refresh
        await Eventually.TrueAsync(() => Volatile.Read(ref n) == 2, "the refresh is under way");

        _time.SetUtcNow(first.UsableUntil);
        refresh.SetException(new TokenEndpointException(CertificateCredentialFailure.TokenEndpointUnavailable, "503", statusCode: 503, isRetryable: true));
        await Eventually.TrueAsync(() => !cache.IsAcquiring, "the refresh has failed");

        cache.Current.Should().BeSameAs(first, "a token no longer usable is not kept with a later refresh moment");
    }

    /// <summary>
    /// A cache whose acquire function records whether it ran on the calling thread while the call was still being made,
    /// and a function that makes a call and says so.
    /// </summary>
    private (TokenCache Cache, Func<Func<Task<AccessToken>>, Task<bool>> RanInCall) CacheRecordingWhereItRuns()
    {
        var inCall = false;
        var callerThread = 0;
        var ranInCall = false;
        var n = 0;
        var cache = new TokenCache((_, _) =>
        {
            ranInCall = Volatile.Read(ref inCall) && Environment.CurrentManagedThreadId == Volatile.Read(ref callerThread);
            return Task.FromResult(Token("t" + Interlocked.Increment(ref n)));
        }, Settings, _time, NullLogger.Instance);

        async Task<bool> RanInCall(Func<Task<AccessToken>> call)
        {
            ranInCall = false;
            Volatile.Write(ref callerThread, Environment.CurrentManagedThreadId);
            Volatile.Write(ref inCall, true);
            var pending = call();
            Volatile.Write(ref inCall, false);
            await pending.WaitAsync(Wait).ConfigureAwait(false);
            await Eventually.TrueAsync(() => !cache.IsAcquiring, "the flight has reported").ConfigureAwait(false);
            return ranInCall;
        }

        return (cache, RanInCall);
    }

    /// <summary>A logger that blocks the thread logging one event until released (bounded), enabled at every level.</summary>
    private sealed class BlockingLogger(int eventId) : ILogger, IDisposable
    {
        private readonly ManualResetEventSlim _release = new();

        public ManualResetEventSlim Entered { get; } = new();

        public void Release() => _release.Set();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId id, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (id.Id == eventId)
            {
                Entered.Set();
                _release.Wait(TimeSpan.FromSeconds(30));
            }
        }

        public void Dispose()
        {
            _release.Set();
            _release.Dispose();
            Entered.Dispose();
        }
    }
}
