using CertCredentials.Configuration;
using CertCredentials.Tests.Infrastructure;
using CertCredentials.TokenEndpoint;

namespace CertCredentials.Tests.TokenEndpoint;

/// <summary>The one back-off of the pipeline and the cache: exponential, capped, jittered down by at most a fifth; Retry-After unjittered.</summary>
public sealed class RetryBackoffTests
{
    private static readonly CredentialSettings Settings = CredentialSettings.From(TestOptions.Rsa2048()) with
    {
        RetryDelay = TimeSpan.FromSeconds(1),
        MaxRetryDelay = TimeSpan.FromSeconds(10),
    };

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(4, 8)]
    [InlineData(5, 10)]
    [InlineData(1000, 10)]
    public void Without_jitter_it_doubles_up_to_the_maximum(int failures, double seconds) =>
        RetryBackoff.Delay(Settings, failures, null, 0).Should().Be(TimeSpan.FromSeconds(seconds));

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(100)]
    public void Jitter_shortens_by_at_most_a_fifth_even_at_the_cap(int failures)
    {
        var nominal = RetryBackoff.Delay(Settings, failures, null, 0);
        RetryBackoff.Delay(Settings, failures, null, 0.5).Should().Be(nominal * 0.9);
        RetryBackoff.Delay(Settings, failures, null, 0.999_999).Should().BeGreaterThan(nominal * 0.8).And.BeLessThan(nominal);
    }

    [Fact]
    public void A_longer_retry_after_wins_unjittered_and_capped()
    {
        RetryBackoff.Delay(Settings, 1, TimeSpan.FromSeconds(7), 0.9).Should().Be(TimeSpan.FromSeconds(7));
        RetryBackoff.Delay(Settings, 1, TimeSpan.FromHours(1), 0.9).Should().Be(TimeSpan.FromSeconds(10));
        RetryBackoff.Delay(Settings, 1, TimeSpan.FromMilliseconds(100), 0).Should().Be(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void A_zero_retry_delay_gives_no_wait() =>
        RetryBackoff.Delay(Settings with { RetryDelay = TimeSpan.Zero }, 3, null, 0.5).Should().Be(TimeSpan.Zero);
}
