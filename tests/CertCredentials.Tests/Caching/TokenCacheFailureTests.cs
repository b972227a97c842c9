using System.Collections.Concurrent;
using CertCredentials.Caching;
using CertCredentials.Configuration;
using CertCredentials.Tests.Infrastructure;
using CertCredentials.TokenEndpoint;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CertCredentials.Tests.Caching;

/// <summary>
/// The cache on its own, with a scripted acquire function and a fake clock: back-off after transient failures, no
/// back-off after permanent ones, a failed refresh that keeps the valid token, invalidation, forced refreshes, disposal.
/// </summary>
public sealed class TokenCacheFailureTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(TestClock.Start);
    private readonly ConcurrentQueue<Func<string?, Task<TokenResponse>>> _script = new();
    private readonly ConcurrentQueue<string?> _claims = new();
    private readonly TokenCache _cache;
    private int _calls;

    public TokenCacheFailureTests()
    {
        _cache = new TokenCache(AcquireAsync, Settings, _time, NullLogger.Instance, jitter: () => 0); // the nominal back-off; jitter has its own tests
    }

    private static CredentialSettings Settings { get; } = CredentialSettings.From(TestOptions.Rsa2048()) with
    {
        RetryDelay = TimeSpan.FromSeconds(1),
        MaxRetryDelay = TimeSpan.FromSeconds(10),
        ExpirationMargin = TimeSpan.FromMinutes(5),
        RefreshRatio = 0.5,
    };

    public void Dispose() => _cache.Dispose();

    private Task<TokenResponse> AcquireAsync(string? claims, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        _claims.Enqueue(claims);
        return _script.TryDequeue(out var next) ? next(claims) : throw new InvalidOperationException("no scripted answer");
    }

    private void Answer(string token, TimeSpan? expiresIn = null) =>
        _script.Enqueue(_ => Task.FromResult(new TokenResponse(token, expiresIn ?? TimeSpan.FromHours(1), null, "c", null)));

    private void Fail(Exception exception) => _script.Enqueue(_ => Task.FromException<TokenResponse>(exception));

    private static TokenEndpointException Unavailable(TimeSpan? retryAfter = null) =>
        new(CertificateCredentialFailure.TokenEndpointUnavailable, "503 from the endpoint", statusCode: 503, errorCodes: [50_000], isRetryable: true, retryAfter: retryAfter);

    private static CertificateCredentialException Permanent() => new(CertificateCredentialFailure.TokenRequestRejected, "invalid_client");

    private async Task<AccessToken> GetAsync() => await _cache.GetAsync(CancellationToken.None).AsTask().WaitAsync(Wait);

    [Fact]
    public async Task After_a_transient_failure_calls_within_the_back_off_fail_fast_without_a_request()
    {
        Fail(Unavailable());
        await FluentActions.Awaiting(GetAsync).Should().ThrowAsync<TokenEndpointException>();
        _calls.Should().Be(1);

        var e = await FluentActions.Awaiting(GetAsync).Should().ThrowAsync<TokenEndpointException>();
        _calls.Should().Be(1, "the second call is inside the 1 s back-off");
        e.Which.Failure.Should().Be(CertificateCredentialFailure.TokenEndpointUnavailable);
        e.Which.IsRetryable.Should().BeTrue();
        e.Which.RetryAfter.Should().Be(TimeSpan.FromSeconds(1));
        e.Which.StatusCode.Should().Be(503);
        e.Which.ErrorCodes.Should().Equal(50_000);
        e.Which.InnerException.Should().BeOfType<TokenEndpointException>().Which.Message.Should().Be("503 from the endpoint");
        e.Which.Message.Should().StartWith("The token endpoint failed 1 time(s) in a row; to avoid hammering it, the next request is sent after ")
            .And.Contain("(in 1.0 s)").And.EndWith("Last failure: 503 from the endpoint");
        _cache.LastFailure.Should().BeOfType<TokenEndpointException>();

        _time.Advance(TimeSpan.FromSeconds(1));
        Answer("fresh");
        (await GetAsync()).Token.Should().Be("fresh");
        _calls.Should().Be(2);
        _cache.LastFailure.Should().BeNull();
    }

    [Fact]
    public async Task The_back_off_doubles_with_each_transient_failure_up_to_the_maximum()
    {
        var waits = new List<TimeSpan?>();
        for (var i = 0; i < 6; i++)
        {
            Fail(Unavailable());
            await FluentActions.Awaiting(GetAsync).Should().ThrowAsync<TokenEndpointException>();
            var cooling = await FluentActions.Awaiting(GetAsync).Should().ThrowAsync<TokenEndpointException>();
            waits.Add(cooling.Which.RetryAfter);
            _time.Advance(cooling.Which.RetryAfter!.Value);
        }

        waits.Should().Equal(
            TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));
        _calls.Should().Be(6);
    }

    [Fact]
    public async Task A_longer_retry_after_from_the_server_wins_but_is_capped_at_the_maximum()
    {
        Fail(Unavailable(retryAfter: TimeSpan.FromSeconds(7)));
        await FluentActions.Awaiting(GetAsync).Should().ThrowAsync<TokenEndpointException>();
        (await FluentActions.Awaiting(GetAsync).Should().ThrowAsync<TokenEndpointException>()).Which.RetryAfter.Should().Be(TimeSpan.FromSeconds(7));

        _time.Advance(TimeSpan.FromSeconds(7));
        Fail(Unavailable(retryAfter: TimeSpan.FromMinutes(5)));
        await FluentActions.Awaiting(GetAsync).Should().ThrowAsync<TokenEndpointException>();
        (await FluentActions.Awaiting(GetAsync).Should().ThrowAsync<TokenEndpointException>()).Which.RetryAfter.Should().Be(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_shorter_retry_after_than_the_back_off_does_not_shorten_it()
    {
        Fail(Unavailable(retryAfter: TimeSpan.FromMilliseconds(100)));
        await FluentActions.Awaiting(GetAsync).Should().ThrowAsync<TokenEndpointException>();
        (await FluentActions.Awaiting(GetAsync).Should().ThrowAsync<TokenEndpointException>()).Which.RetryAfter.Should().Be(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task A_permanent_failure_is_not_cached_and_the_next_call_tries_again_at_once()
    {
        Fail(Permanent());
        (await FluentActions.Awaiting(GetAsync).Should().ThrowAsync<CertificateCredentialException>()).Which.Failure.Should().Be(CertificateCredentialFailure.TokenRequestRejected);
        _cache.LastFailure.Should().BeOfType<CertificateCredentialException>();

        Fail(Permanent());
        await FluentActions.Awaiting(GetAsync).Should().ThrowAsync<CertificateCredentialException>();
        _calls.Should().Be(2, "a configuration error has no back-off: fixing it takes effect on the next call");
    }

    [Fact]
    public async Task A_permanent_failure_after_transient_ones_does_not_reset_their_count()
    {
        Fail(Unavailable());
        await FluentActions.Awaiting(GetAsync).Should().ThrowAsync<TokenEndpointException>();
        _time.Advance(TimeSpan.FromSeconds(1));
        Fail(Permanent());
        await FluentActions.Awaiting(GetAsync).Should().ThrowAsync<CertificateCredentialException>();
        Fail(Unavailable());
        await FluentActions.Awaiting(GetAsync).Should().ThrowAsync<TokenEndpointException>();
        (await FluentActions.Awaiting(GetAsync).Should().ThrowAsync<TokenEndpointException>()).Which.Message.Should().Contain("failed 2 time(s) in a row");
    }

    [Fact]
    public async Task A_success_resets_the_failure_count()
    {
        Fail(Unavailable());
        await FluentActions.Awaiting(GetAsync).Should().ThrowAsync<TokenEndpointException>();
        _time.Advance(TimeSpan.FromSeconds(1));
        Answer("ok", TimeSpan.FromMinutes(10));
        await GetAsync();

        _time.Advance(TimeSpan.FromMinutes(10));
        Fail(Unavailable());
        await FluentActions.Awaiting(GetAsync).Should().ThrowAsync<TokenEndpointException>();
        (await FluentActions.Awaiting(GetAsync).Should().ThrowAsync<TokenEndpointException>()).Which.RetryAfter.Should().Be(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task A_failed_background_refresh_keeps_serving_the_token_and_retries_after_the_back_off()
    {
        Answer("first");
        var first = await GetAsync();
        first.RefreshOn.Should().Be(_time.GetUtcNow().AddMinutes(30));

        _time.Advance(TimeSpan.FromMinutes(31));
        Fail(Unavailable());
        (await GetAsync()).Should().Be(first, "the refresh runs in the background");
        await Eventually.TrueAsync(() => _cache.LastFailure is not null && !_cache.IsAcquiring, "the refresh fails");

        _cache.Current!.RefreshAt.Should().Be(_time.GetUtcNow().AddSeconds(1), "the next attempt waits the back-off");
        (await GetAsync()).Should().Be(first);
        _calls.Should().Be(2, "no new attempt inside the back-off");

        _time.Advance(TimeSpan.FromSeconds(1));
        Answer("second");
        (await GetAsync()).Token.Should().Be("first", "the caller is still served at once");
        await Eventually.TrueAsync(() => _cache.Current?.Token.Token == "second", "the retried refresh replaces the token");
        _cache.LastFailure.Should().BeNull();
    }

    [Fact]
    public async Task A_token_past_its_usable_end_is_not_served_and_a_new_one_is_fetched()
    {
        Answer("first");
        await GetAsync();
        _time.Advance(TimeSpan.FromMinutes(55));
        Answer("second");
        (await GetAsync()).Token.Should().Be("second");
        _calls.Should().Be(2);
    }

    [Fact]
    public async Task Invalidate_drops_only_the_current_token()
    {
        Answer("first");
        await GetAsync();

        _cache.Invalidate("another").Should().BeFalse();
        _cache.Current.Should().NotBeNull();
        _cache.Invalidate("first").Should().BeTrue();
        _cache.Current.Should().BeNull();
        _cache.Invalidate("first").Should().BeFalse("it is already gone");

        Answer("second");
        (await GetAsync()).Token.Should().Be("second");
    }

    [Fact]
    public async Task Forced_refreshes_with_the_same_claims_share_a_request_and_replace_the_token()
    {
        var gate = new TaskCompletionSource<TokenResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _script.Enqueue(_ => gate.Task);
        var a = _cache.RefreshAsync("{\"c\":1}", CancellationToken.None);
        var b = _cache.RefreshAsync("{\"c\":1}", CancellationToken.None);
        _cache.IsAcquiring.Should().BeTrue();
        gate.SetResult(new TokenResponse("forced", TimeSpan.FromHours(1), null, "c", null));

        (await a.WaitAsync(Wait)).Token.Should().Be("forced");
        (await b.WaitAsync(Wait)).Token.Should().Be("forced");
        _calls.Should().Be(1);
        _claims.Should().Equal("{\"c\":1}");
        (await GetAsync()).Token.Should().Be("forced");
        _cache.IsAcquiring.Should().BeFalse();
    }

    [Fact]
    public async Task Forced_refreshes_with_other_claims_send_their_own_request()
    {
        Answer("one");
        Answer("two");
        await _cache.RefreshAsync(null, CancellationToken.None).WaitAsync(Wait);
        await _cache.RefreshAsync("{\"c\":2}", CancellationToken.None).WaitAsync(Wait);
        _calls.Should().Be(2);
        _claims.Should().Equal(null, "{\"c\":2}");
    }

    [Fact]
    public async Task A_forced_refresh_ignores_the_back_off()
    {
        Fail(Unavailable());
        await FluentActions.Awaiting(GetAsync).Should().ThrowAsync<TokenEndpointException>();
        Answer("forced");
        (await _cache.RefreshAsync(null, CancellationToken.None).WaitAsync(Wait)).Token.Should().Be("forced");
    }

    [Fact]
    public async Task A_slower_older_request_does_not_replace_a_newer_token()
    {
        var slow = new TaskCompletionSource<TokenResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _script.Enqueue(_ => slow.Task);
        var cold = _cache.GetAsync(CancellationToken.None).AsTask();
        await Eventually.TrueAsync(() => _calls == 1, "the cold request is sent");

        _time.Advance(TimeSpan.FromSeconds(5));
        Answer("newer");
        (await _cache.RefreshAsync("{}", CancellationToken.None).WaitAsync(Wait)).Token.Should().Be("newer");

        slow.SetResult(new TokenResponse("older", TimeSpan.FromHours(1), null, "c", null));
        (await cold.WaitAsync(Wait)).Token.Should().Be("older", "its own caller gets the answer it waited for");
        _cache.Current!.Token.Token.Should().Be("newer", "the cache keeps the token requested later");
    }

    [Fact]
    public async Task Disposing_refuses_later_calls_with_a_typed_error()
    {
        Answer("first");
        await GetAsync();
        _cache.Dispose();
        _cache.Dispose();

        _cache.Current.Should().BeNull();
        (await FluentActions.Awaiting(GetAsync).Should().ThrowAsync<CertificateCredentialException>()).Which.Failure.Should().Be(CertificateCredentialFailure.Disposed);
        (await FluentActions.Awaiting(() => _cache.RefreshAsync(null, CancellationToken.None)).Should().ThrowAsync<CertificateCredentialException>())
            .Which.Message.Should().Be("The certificate credential was disposed; create a new one.");
    }

    [Fact]
    public async Task Disposing_during_a_request_fails_it_as_disposed_and_keeps_no_token()
    {
        var pending = new TaskCompletionSource<TokenResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        CancellationToken seen = default;
        _script.Enqueue(_ => pending.Task);
        var cache = new TokenCache((claims, token) => { seen = token; return AcquireAsync(claims, token); }, Settings, _time, NullLogger.Instance);
        var call = cache.GetAsync(CancellationToken.None).AsTask();
        await Eventually.TrueAsync(() => _calls == 1, "the request is sent");

        cache.Dispose();
        seen.IsCancellationRequested.Should().BeTrue("disposal cancels the request under way");
        pending.SetException(new OperationCanceledException(seen));

        var e = await FluentActions.Awaiting(() => call.WaitAsync(Wait)).Should().ThrowAsync<CertificateCredentialException>();
        e.Which.Failure.Should().Be(CertificateCredentialFailure.Disposed);
        e.Which.Message.Should().Be("The credential was disposed while a token request was under way.");
        e.Which.InnerException.Should().BeOfType<OperationCanceledException>();
        cache.Current.Should().BeNull();
    }

    [Fact]
    public async Task A_request_finishing_after_disposal_does_not_fill_the_cache()
    {
        var pending = new TaskCompletionSource<TokenResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _script.Enqueue(_ => pending.Task);
        var call = _cache.GetAsync(CancellationToken.None).AsTask();
        await Eventually.TrueAsync(() => _calls == 1, "the request is sent");

        _cache.Dispose();
        pending.SetResult(new TokenResponse("late", TimeSpan.FromHours(1), null, "c", null));
        (await call.WaitAsync(Wait)).Token.Should().Be("late");
        _cache.Current.Should().BeNull();
    }

    [Fact]
    public async Task A_forced_refresh_at_the_same_instant_replaces_the_cached_token()
    {
        Answer("first");
        await GetAsync();
        Answer("second");
        await _cache.RefreshAsync(null, CancellationToken.None).WaitAsync(Wait);
        _cache.Current!.Token.Token.Should().Be("second", "a token requested no earlier than the cached one replaces it");
    }

    [Fact]
    public async Task A_failed_forced_refresh_leaves_the_valid_token_and_its_refresh_time_alone()
    {
        Answer("first");
        await GetAsync();
        var before = _cache.Current!;
        Fail(Unavailable());
        await FluentActions.Awaiting(() => _cache.RefreshAsync("{}", CancellationToken.None)).Should().ThrowAsync<TokenEndpointException>();
        _cache.Current.Should().BeSameAs(before, "only a failed background refresh moves the next attempt");
    }

    [Fact]
    public async Task After_disposal_a_lookup_is_refused_at_once_without_a_request()
    {
        _cache.Dispose();
        (await FluentActions.Awaiting(GetAsync).Should().ThrowAsync<CertificateCredentialException>())
            .Which.Message.Should().Be("The certificate credential was disposed; create a new one.");
        _calls.Should().Be(0);
    }

    [Fact]
    public async Task A_caller_s_cancellation_before_the_call_is_honoured_without_a_request()
    {
        await FluentActions.Awaiting(() => _cache.RefreshAsync(null, new CancellationToken(canceled: true))).Should().ThrowAsync<OperationCanceledException>();
        await FluentActions.Awaiting(() => _cache.GetAsync(new CancellationToken(canceled: true)).AsTask()).Should().ThrowAsync<OperationCanceledException>();
        _calls.Should().Be(0);
    }
}
