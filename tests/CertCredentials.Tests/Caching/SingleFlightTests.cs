using CertCredentials.Testing;
using CertCredentials.Tests.Infrastructure;

namespace CertCredentials.Tests.Caching;

/// <summary>Concurrent callers share one token request; cancellation ends only the caller's own wait.</summary>
public sealed class SingleFlightTests : IAsyncLifetime
{
    private LocalEntra _entra = null!;

    public async Task InitializeAsync() => _entra = await LocalEntra.StartAsync(configure: o => o.ResponseDelay = TimeSpan.FromMilliseconds(300));

    public async Task DisposeAsync() => await _entra.DisposeAsync();

    [Fact]
    public async Task Two_hundred_concurrent_cold_callers_send_exactly_one_request()
    {
        var credential = _entra.Credential();
        using var start = new ManualResetEventSlim();
        var callers = Enumerable.Range(0, 200)
            .Select(_ => Task.Run(async () => { start.Wait(); return await credential.GetTokenAsync(); }))
            .ToList();
        start.Set();

        var tokens = await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(30));

        tokens.Select(t => t.Token).Distinct().Should().ContainSingle();
        _entra.Service.TokenRequestCount.Should().Be(1);
    }

    [Fact]
    public async Task A_cancelling_caller_does_not_cancel_the_request_for_the_others()
    {
        var credential = _entra.Credential();
        using var cancel = new CancellationTokenSource();
        var cancelled = credential.GetTokenAsync(cancel.Token).AsTask();
        var patient = credential.GetTokenAsync().AsTask();

        await cancel.CancelAsync();

        await FluentActions.Awaiting(() => cancelled).Should().ThrowAsync<OperationCanceledException>();
        (await patient.WaitAsync(TimeSpan.FromSeconds(30))).Token.Should().NotBeNullOrEmpty();
        _entra.Service.TokenRequestCount.Should().Be(1);
        credential.GetTokenAsync().Synchronously().Token.Should().NotBeNullOrEmpty("the shared request finished and filled the cache");
    }

    [Fact]
    public async Task An_already_cancelled_token_is_honoured_before_any_request()
    {
        var credential = _entra.Credential();
        await FluentActions.Awaiting(() => credential.GetTokenAsync(new CancellationToken(canceled: true)).AsTask())
            .Should().ThrowAsync<OperationCanceledException>();
        _entra.Service.TokenRequestCount.Should().Be(0);
    }

    [Fact]
    public async Task Cancellation_is_honoured_during_a_retry_wait()
    {
        _entra.Service.PersistentFault = new TokenFault { StatusCode = 503, RetryAfter = "30" };
        var credential = _entra.Credential(o => { o.RetryDelay = TimeSpan.FromSeconds(30); o.MaxRetryDelay = TimeSpan.FromSeconds(30); });
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(800));
        var watch = System.Diagnostics.Stopwatch.StartNew();

        await FluentActions.Awaiting(() => credential.GetTokenAsync(cancel.Token).AsTask())
            .Should().ThrowAsync<OperationCanceledException>();

        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20), "the caller does not sit out a 30-second back-off after cancelling");
    }

    [Fact]
    public async Task Failures_are_shared_by_the_waiting_callers_but_not_cached()
    {
        _entra.Service.EnqueueFault(new TokenFault { StatusCode = 400, Body = "{\"error\":\"invalid_request\",\"error_codes\":[90002]}", ContentType = "application/json" });
        var credential = _entra.Credential();

        var callers = Enumerable.Range(0, 20).Select(_ => credential.GetTokenAsync().AsTask()).ToList();
        foreach (var caller in callers)
        {
            await FluentActions.Awaiting(() => caller).Should().ThrowAsync<TokenEndpointException>();
        }

        _entra.Service.TokenRequestCount.Should().Be(1);
        (await credential.GetTokenAsync()).Token.Should().NotBeNullOrEmpty("the next call sends a new request");
        _entra.Service.TokenRequestCount.Should().Be(2);
    }

    [Fact]
    public async Task Concurrent_claims_challenges_share_one_request()
    {
        var credential = _entra.Credential();
        const string challenge = "{\"access_token\":{\"nbf\":{\"essential\":true,\"value\":\"1\"}}}";
        var refreshes = Enumerable.Range(0, 50).Select(_ => credential.RefreshTokenAsync(challenge)).ToList();
        var tokens = await Task.WhenAll(refreshes).WaitAsync(TimeSpan.FromSeconds(30));
        tokens.Select(t => t.Token).Distinct().Should().ContainSingle();
        _entra.Service.TokenRequestCount.Should().Be(1);
    }

    [Fact]
    public async Task Disposing_the_credential_fails_waiting_callers_clearly()
    {
        var credential = new CertificateClientCredential(_entra.Options());
        var waiting = credential.GetTokenAsync().AsTask();
        credential.Dispose();

        var e = await FluentActions.Awaiting(() => waiting.WaitAsync(TimeSpan.FromSeconds(30))).Should().ThrowAsync<CertificateCredentialException>();
        e.Which.Failure.Should().Be(CertificateCredentialFailure.Disposed);
        var after = await FluentActions.Awaiting(() => credential.GetTokenAsync().AsTask()).Should().ThrowAsync<CertificateCredentialException>();
        after.Which.Failure.Should().Be(CertificateCredentialFailure.Disposed);
    }
}
