using System.Net.Http.Headers;
using CertCredentials.TokenEndpoint;
using CertCredentials.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace CertCredentials.Tests.TokenEndpoint;

/// <summary><c>Retry-After</c> as seconds or as an HTTP date, read against the credential's clock; a time already past waits nothing.</summary>
public sealed class RetryAfterHeaderTests
{
    private readonly FakeTimeProvider _time = new(TestClock.Start);

    private TimeSpan? Read(Action<HttpResponseHeaders> set)
    {
        using var response = new HttpResponseMessage();
        set(response.Headers);
        return RetryAfterHeader.Read(response.Headers, _time);
    }

    [Fact]
    public void No_header_is_no_wait_asked() => Read(_ => { }).Should().BeNull();

    [Fact]
    public void Seconds_are_the_wait() => Read(h => h.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(7))).Should().Be(TimeSpan.FromSeconds(7));

    [Fact]
    public void A_date_ahead_is_the_time_until_it_on_the_credentials_clock() =>
        Read(h => h.RetryAfter = new RetryConditionHeaderValue(TestClock.Start.AddSeconds(30))).Should().Be(TimeSpan.FromSeconds(30));

    [Fact]
    public void A_date_already_past_waits_nothing() =>
        Read(h => h.RetryAfter = new RetryConditionHeaderValue(TestClock.Start.AddMinutes(-5))).Should().Be(TimeSpan.Zero);

    [Fact]
    public void A_negative_number_of_seconds_waits_nothing() =>
        Read(h => h.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(-3))).Should().Be(TimeSpan.Zero);

    [Fact]
    public void Text_that_is_neither_is_no_wait_asked() =>
        Read(h => h.TryAddWithoutValidation("Retry-After", "soon")).Should().BeNull();
}
