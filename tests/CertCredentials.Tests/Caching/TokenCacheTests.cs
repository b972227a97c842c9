using CertCredentials.Testing;
using CertCredentials.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace CertCredentials.Tests.Caching;

/// <summary>Cache hits, expiry and proactive refresh on a fake clock shared by the credential and the token service.</summary>
public sealed class TokenCacheTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(TestClock.Start);
    private LocalEntra _entra = null!;

    public async Task InitializeAsync() => _entra = await LocalEntra.StartAsync(_time);

    public async Task DisposeAsync() => await _entra.DisposeAsync();

    [Fact]
    public async Task Serves_the_cached_token_synchronously_without_a_second_request()
    {
        var credential = _entra.Credential();
        var first = await credential.GetTokenAsync();

        for (var i = 0; i < 100; i++)
        {
            credential.GetTokenAsync().Synchronously().Should().Be(first);
        }

        _entra.Service.TokenRequestCount.Should().Be(1);
    }

    [Fact]
    public async Task Token_expiry_is_counted_from_the_request_with_the_default_margin()
    {
        var credential = _entra.Credential();
        var token = await credential.GetTokenAsync();
        token.ExpiresOn.Should().Be(_time.GetUtcNow().AddSeconds(3599), "the service answers expires_in 3599");
        token.RefreshOn.Should().Be(_time.GetUtcNow().AddSeconds(3599 * 0.5));
    }

    [Fact]
    public async Task Refreshes_in_the_background_inside_the_refresh_window_while_callers_keep_the_valid_token()
    {
        var credential = _entra.Credential();
        var first = await credential.GetTokenAsync();

        _time.Advance(TimeSpan.FromMinutes(29));
        credential.GetTokenAsync().Synchronously().Should().Be(first);
        _entra.Service.TokenRequestCount.Should().Be(1, "no refresh before half the lifetime");

        _time.Advance(TimeSpan.FromMinutes(2));
        credential.GetTokenAsync().Synchronously().Should().Be(first, "no caller waits while a valid token exists");

        await Eventually.TrueAsync(() => credential.CachedToken?.Token != first.Token, "the background refresh replaces the token");
        _entra.Service.TokenRequestCount.Should().Be(2, "one background refresh, however many callers");
        credential.GetTokenAsync().Synchronously().Token.Should().NotBe(first.Token);
    }

    [Fact]
    public async Task Many_callers_in_the_refresh_window_start_one_refresh()
    {
        var credential = _entra.Credential();
        await credential.GetTokenAsync();
        _time.Advance(TimeSpan.FromMinutes(31));

        for (var i = 0; i < 500; i++)
        {
            credential.GetTokenAsync().Synchronously();
        }

        await Eventually.TrueAsync(() => _entra.Service.TokenRequestCount == 2 && credential.CachedToken!.Value.RefreshOn > _time.GetUtcNow(), "one refresh completes");
        await Task.Delay(100);
        _entra.Service.TokenRequestCount.Should().Be(2);
    }

    [Fact]
    public async Task Honours_refresh_in_when_the_server_sends_it()
    {
        await using var entra = await LocalEntra.StartAsync(_time, o => o.RefreshIn = TimeSpan.FromMinutes(10));
        var credential = entra.Credential();
        var first = await credential.GetTokenAsync();
        first.RefreshOn.Should().Be(_time.GetUtcNow().AddMinutes(10));

        _time.Advance(TimeSpan.FromMinutes(11));
        credential.GetTokenAsync().Synchronously().Should().Be(first);
        await Eventually.TrueAsync(() => entra.Service.TokenRequestCount == 2, "refresh_in starts the refresh at 10 minutes");
    }

    [Fact]
    public async Task Treats_the_token_as_expired_five_minutes_early_and_gets_a_new_one()
    {
        var credential = _entra.Credential(o => o.RefreshRatio = 1.0);
        var first = await credential.GetTokenAsync();

        _time.Advance(TimeSpan.FromSeconds(3599 - 301));
        credential.GetTokenAsync().Synchronously().Should().Be(first, "still outside the 5-minute margin");

        _time.Advance(TimeSpan.FromSeconds(2));
        var second = await credential.GetTokenAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        second.Token.Should().NotBe(first.Token);
        _entra.Service.TokenRequestCount.Should().Be(2);
    }

    [Fact]
    public async Task Configurable_expiration_margin()
    {
        var credential = _entra.Credential(o => { o.ExpirationMargin = TimeSpan.FromMinutes(10); o.RefreshRatio = 1.0; });
        var first = await credential.GetTokenAsync();
        _time.Advance(TimeSpan.FromSeconds(3599 - 601));
        credential.GetTokenAsync().Synchronously().Should().Be(first);
        _time.Advance(TimeSpan.FromSeconds(2));
        (await credential.GetTokenAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30))).Token.Should().NotBe(first.Token);
    }

    [Fact]
    public async Task Short_lived_tokens_are_cached_and_refreshed_in_the_background()
    {
        await using var entra = await LocalEntra.StartAsync(_time, o => o.AccessTokenLifetime = TimeSpan.FromSeconds(121));
        var credential = entra.Credential();
        var first = await credential.GetTokenAsync();
        credential.GetTokenAsync().Synchronously().Should().Be(first, "a 2-minute token is not 'expired' by a 5-minute margin");
        entra.Service.TokenRequestCount.Should().Be(1);

        _time.Advance(TimeSpan.FromSeconds(61));
        credential.GetTokenAsync().Synchronously().Should().Be(first, "past half its life a 2-minute token is still served, while it is refreshed");
        await Eventually.TrueAsync(() => credential.CachedToken?.Token != first.Token, "the background refresh of a short token");
        entra.Service.TokenRequestCount.Should().Be(2);
    }

    [Fact]
    public async Task Invalidating_the_cached_token_gets_a_new_one_once()
    {
        var credential = _entra.Credential();
        var first = await credential.GetTokenAsync();
        credential.InvalidateToken("some-other-token").Should().BeFalse();
        credential.InvalidateToken(first.Token).Should().BeTrue();
        credential.InvalidateToken(first.Token).Should().BeFalse();

        var second = await credential.GetTokenAsync();
        second.Token.Should().NotBe(first.Token);
        _entra.Service.TokenRequestCount.Should().Be(2);
    }

    [Fact]
    public async Task A_failed_background_refresh_keeps_the_valid_token_and_retries_later()
    {
        var credential = _entra.Credential(o => { o.MaxRetries = 0; o.RetryDelay = TimeSpan.FromSeconds(10); o.MaxRetryDelay = TimeSpan.FromSeconds(10); });
        var first = await credential.GetTokenAsync();
        _entra.Service.PersistentFault = new TokenFault { StatusCode = 503 };

        _time.Advance(TimeSpan.FromMinutes(31));
        credential.GetTokenAsync().Synchronously().Should().Be(first);
        await Eventually.TrueAsync(() => _entra.Service.TokenRequestCount == 2 && credential.LastFailure is not null, "the refresh fails");

        for (var i = 0; i < 50; i++)
        {
            credential.GetTokenAsync().Synchronously().Should().Be(first);
        }

        _entra.Service.TokenRequestCount.Should().Be(2, "the next refresh waits for its back-off instead of running on every call");

        _entra.Service.PersistentFault = null;
        _time.Advance(TimeSpan.FromSeconds(11));
        credential.GetTokenAsync().Synchronously().Should().Be(first);
        await Eventually.TrueAsync(() => credential.CachedToken?.Token != first.Token, "the next refresh succeeds");
        credential.LastFailure.Should().BeNull();
    }
}
