using CertCredentials.Caching;
using CertCredentials.Configuration;
using CertCredentials.Tests.Infrastructure;
using CertCredentials.TokenEndpoint;

namespace CertCredentials.Tests.Caching;

/// <summary>The three moments of a cached token, computed from the response, the request time and the settings.</summary>
public sealed class CachedTokenTests
{
    private static readonly DateTimeOffset RequestedAt = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private static CredentialSettings Settings(TimeSpan? margin = null, double ratio = 0.5) =>
        CredentialSettings.From(TestOptions.Rsa2048()) with { ExpirationMargin = margin ?? TimeSpan.FromMinutes(5), RefreshRatio = ratio };

    private static TokenResponse Response(TimeSpan expiresIn, TimeSpan? refreshIn = null) => new("token-value", expiresIn, refreshIn, "correlation", null);

    [Fact]
    public void A_one_hour_token_expires_an_hour_after_the_request_is_usable_until_five_minutes_before_and_refreshes_at_half()
    {
        var cached = CachedToken.From(Response(TimeSpan.FromHours(1)), RequestedAt, Settings());

        cached.Token.Token.Should().Be("token-value");
        cached.Token.ExpiresOn.Should().Be(RequestedAt.AddHours(1));
        cached.AcquiredAt.Should().Be(RequestedAt);
        cached.UsableUntil.Should().Be(RequestedAt.AddMinutes(55));
        cached.RefreshAt.Should().Be(RequestedAt.AddMinutes(30));
        cached.Token.RefreshOn.Should().Be(cached.RefreshAt);
    }

    [Fact]
    public void The_margin_is_at_most_a_quarter_of_the_lifetime_leaving_a_refresh_window()
    {
        var cached = CachedToken.From(Response(TimeSpan.FromMinutes(4)), RequestedAt, Settings());
        cached.UsableUntil.Should().Be(RequestedAt.AddMinutes(3), "a 4-minute token is served for three quarters of its life, not minus 5 minutes");
        cached.RefreshAt.Should().Be(RequestedAt.AddMinutes(2), "half the lifetime: a minute of background refresh before the usable end");
    }

    [Fact]
    public void A_margin_of_exactly_a_quarter_of_the_lifetime_is_used_as_it_is()
    {
        var cached = CachedToken.From(Response(TimeSpan.FromMinutes(20)), RequestedAt, Settings());
        cached.UsableUntil.Should().Be(RequestedAt.AddMinutes(15));
        cached.RefreshAt.Should().Be(RequestedAt.AddMinutes(10));
    }

    [Fact]
    public void The_configured_margin_and_ratio_are_used()
    {
        var cached = CachedToken.From(Response(TimeSpan.FromHours(1)), RequestedAt, Settings(TimeSpan.FromMinutes(12), ratio: 0.25));
        cached.UsableUntil.Should().Be(RequestedAt.AddMinutes(48));
        cached.RefreshAt.Should().Be(RequestedAt.AddMinutes(15));
    }

    [Fact]
    public void The_server_s_refresh_in_wins_over_the_ratio()
    {
        var cached = CachedToken.From(Response(TimeSpan.FromHours(1), refreshIn: TimeSpan.FromMinutes(10)), RequestedAt, Settings());
        cached.RefreshAt.Should().Be(RequestedAt.AddMinutes(10));
    }

    [Fact]
    public void A_refresh_time_past_the_usable_end_is_moved_back_to_it()
    {
        CachedToken.From(Response(TimeSpan.FromHours(1), refreshIn: TimeSpan.FromHours(2)), RequestedAt, Settings())
            .RefreshAt.Should().Be(RequestedAt.AddMinutes(55));
        CachedToken.From(Response(TimeSpan.FromHours(1)), RequestedAt, Settings(ratio: 1.0))
            .RefreshAt.Should().Be(RequestedAt.AddMinutes(55));
    }

    [Fact]
    public void A_refresh_time_exactly_at_the_usable_end_stays()
    {
        CachedToken.From(Response(TimeSpan.FromHours(1), refreshIn: TimeSpan.FromMinutes(55)), RequestedAt, Settings())
            .RefreshAt.Should().Be(RequestedAt.AddMinutes(55));
    }

    [Fact]
    public void Moving_the_refresh_keeps_the_token_and_its_end_and_never_passes_the_usable_end()
    {
        var cached = CachedToken.From(Response(TimeSpan.FromHours(1)), RequestedAt, Settings());

        var earlier = cached.WithRefreshAt(RequestedAt.AddMinutes(40));
        earlier.RefreshAt.Should().Be(RequestedAt.AddMinutes(40));
        earlier.UsableUntil.Should().Be(cached.UsableUntil);
        earlier.AcquiredAt.Should().Be(cached.AcquiredAt);
        earlier.Token.Should().Be(cached.Token);

        cached.WithRefreshAt(RequestedAt.AddMinutes(56)).RefreshAt.Should().Be(cached.UsableUntil);
        cached.WithRefreshAt(cached.UsableUntil).RefreshAt.Should().Be(cached.UsableUntil);
    }

    [Fact]
    public void Describes_itself_without_the_token()
    {
        var text = CachedToken.From(Response(TimeSpan.FromHours(1)), RequestedAt, Settings()).ToString();
        text.Should().StartWith("CachedToken { RefreshAt = 2026-11-22T12:30:00.0000000+00:00, UsableUntil = 2026-11-22T12:55:00.0000000+00:00, AccessToken {");
        text.Should().NotContain("token-value");
    }
}
