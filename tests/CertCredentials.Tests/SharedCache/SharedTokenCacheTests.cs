using CertCredentials.SharedCache;
using CertCredentials.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace CertCredentials.Tests.SharedCache;

/// <summary>
/// One store call as the shared cache makes it (one timer bounds it, the caller's cancellation is the caller's, an
/// answer already there is taken at once), fault episodes, and the keys derived once per certificate. With stores in
/// this process and a fake clock.
/// </summary>
public sealed class SharedTokenCacheTests
{
    private static readonly CertificateThumbprint First = CertificateThumbprint.Compute([1, 2, 3]);
    private static readonly CertificateThumbprint Second = CertificateThumbprint.Compute([4, 5, 6]);

    private readonly FakeTimeProvider _time = new(TestClock.Start);
    private readonly LogCapture _logs = new();

    [Fact]
    public async Task A_store_that_ignores_cancellation_holds_the_caller_no_longer_than_the_operation_timeout()
    {
        var store = new SilentStore();
        var cache = Cache(store);

        var call = cache.CallAsync("get", static (s, key, token) => s.GetAsync(key, token), "t:entry", CancellationToken.None).AsTask();
        _time.Advance(cache.Timeout - TimeSpan.FromMilliseconds(1));
        (await Task.WhenAny(call, Task.Delay(200))).Should().NotBeSameAs(call, "the bound has not passed");
        _time.Advance(TimeSpan.FromMilliseconds(1));

        // The store still has not answered: the bound alone ends the call (the safety timeout only keeps a defect from hanging the run).
        (await call.WaitAsync(TimeSpan.FromSeconds(30))).Ok.Should().BeFalse();
        store.Token.IsCancellationRequested.Should().BeTrue("the store's own token is cancelled at the bound too");
        cache.Problem.Should().Contain("no answer within 250 ms");
        _logs.WithId(1400).Should().ContainSingle();
    }

    [Fact]
    public async Task The_callers_cancellation_propagates_to_the_caller_and_the_store_and_is_no_store_failure()
    {
        var store = new SilentStore();
        var cache = Cache(store);
        using var caller = new CancellationTokenSource();

        var call = cache.CallAsync("get", static (s, key, token) => s.GetAsync(key, token), "t:entry", caller.Token).AsTask();
        await caller.CancelAsync();

        await call.Invoking(c => c).Should().ThrowAsync<OperationCanceledException>();
        store.Token.IsCancellationRequested.Should().BeTrue();
        cache.Problem.Should().BeNull("the store did not fail: the caller stopped");
        _logs.WithId(1400).Should().BeEmpty();
    }

    [Fact]
    public async Task An_answer_already_there_is_taken_at_once_and_a_synchronous_failure_is_a_store_failure()
    {
        var store = new MemoryTokenStore();
        await store.SetAsync("t:entry", new byte[] { 7 }, TimeSpan.FromMinutes(5), CancellationToken.None);
        var cache = Cache(store);

        var answered = cache.CallAsync("get", static (s, key, token) => s.GetAsync(key, token), "t:entry", CancellationToken.None);
        answered.IsCompletedSuccessfully.Should().BeTrue("nothing to wait for: no timer needs to pass");
        var (ok, bytes) = await answered;
        ok.Should().BeTrue();
        bytes.Should().Equal(7);

        store.Failure = new InvalidOperationException("the store is broken");
        var failed = cache.CallAsync("get", static (s, key, token) => s.GetAsync(key, token), "t:entry", CancellationToken.None);
        failed.IsCompletedSuccessfully.Should().BeTrue();
        (await failed).Ok.Should().BeFalse();
        cache.Problem.Should().Contain("InvalidOperationException: the store is broken");
    }

    [Fact]
    public async Task Failures_are_reported_once_per_episode_and_the_end_of_the_episode_once()
    {
        var store = new MemoryTokenStore { Failure = new InvalidOperationException("the store is broken") };
        var cache = Cache(store);

        for (var i = 0; i < 3; i++)
        {
            (await cache.CallAsync("get", static (s, key, token) => s.GetAsync(key, token), "t:entry", CancellationToken.None)).Ok.Should().BeFalse();
        }

        store.Failure = null;
        for (var i = 0; i < 3; i++)
        {
            (await cache.CallAsync("get", static (s, key, token) => s.GetAsync(key, token), "t:entry", CancellationToken.None)).Ok.Should().BeTrue();
        }

        _logs.WithId(1400).Should().ContainSingle();
        _logs.WithId(1401).Should().ContainSingle();
        cache.Problem.Should().BeNull();
    }

    [Fact]
    public async Task Keys_are_derived_once_per_certificate_whichever_thumbprint_object_names_it_and_again_after_a_rotation()
    {
        var current = First;
        var signatures = 0;
        var cache = new SharedTokenCache(new MemoryTokenStore(), new SharedCacheSigner(() => current, (label, _) =>
        {
            Interlocked.Increment(ref signatures);
            return ValueTask.FromResult(System.Security.Cryptography.SHA256.HashData(label));
        }), _time, _logs.Logger());

        var first = await cache.KeysAsync(CancellationToken.None);
        current = CertificateThumbprint.Parse(First.Base64Url);
        var again = await cache.KeysAsync(CancellationToken.None);
        current = Second;
        var rotated = await cache.KeysAsync(CancellationToken.None);

        again.Should().BeSameAs(first, "an equal thumbprint is the same certificate, even as another object");
        rotated.Should().NotBeSameAs(first);
        rotated!.Thumbprint.Should().Be(Second.ToString());
        signatures.Should().Be(2, "one signature per certificate");
    }

    private SharedTokenCache Cache(SharedTokenStore store) =>
        new(store, new SharedCacheSigner(() => First, (label, _) => ValueTask.FromResult(System.Security.Cryptography.SHA256.HashData(label))), _time, _logs.Logger());

    /// <summary>A store whose reads never answer and that ignores cancellation (a hung client library).</summary>
    private sealed class SilentStore : SharedTokenStore
    {
        private readonly TaskCompletionSource<byte[]?> _never = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationToken Token { get; private set; }

        public override ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
        {
            Token = cancellationToken;
            return new ValueTask<byte[]?>(_never.Task);
        }

        public override ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, TimeSpan timeToLive, CancellationToken cancellationToken) => throw new NotSupportedException();

        public override ValueTask RemoveAsync(string key, CancellationToken cancellationToken) => throw new NotSupportedException();

        public override ValueTask<bool> TryAcquireLeaseAsync(string key, string fence, TimeSpan duration, CancellationToken cancellationToken) => throw new NotSupportedException();

        public override ValueTask ReleaseLeaseAsync(string key, string fence, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
