using CertCredentials.Configuration;

namespace CertCredentials.TokenEndpoint;

/// <summary>
/// The one back-off of the library, for the pipeline's retries of one request and for the cache's pause after failed
/// acquisitions: exponential from <see cref="CredentialSettings.RetryDelay"/>, capped at
/// <see cref="CredentialSettings.MaxRetryDelay"/>, shortened by up to <see cref="MaxJitter"/> at random so that the
/// caches of a fleet (or of thousands of tenants) that failed together do not retry together; a server's
/// <c>Retry-After</c> wins when longer, capped at <see cref="CredentialSettings.MaxRetryDelay"/> too.
/// </summary>
internal static class RetryBackoff
{
    /// <summary>The largest share of the delay the jitter takes off: a delay lies in (80%, 100%] of its nominal value.</summary>
    public const double MaxJitter = 0.2;

    /// <summary>The jitter of the library: a uniform value in [0, 1).</summary>
    public static readonly Func<double> RandomJitter = Random.Shared.NextDouble;

    /// <param name="settings">RetryDelay and MaxRetryDelay.</param>
    /// <param name="failures">How many attempts failed so far (1 for the first retry).</param>
    /// <param name="retryAfter">What the server asked, if anything.</param>
    /// <param name="jitter">A value in [0, 1): 0 gives the nominal delay (tests), values near 1 take <see cref="MaxJitter"/> off it.</param>
    public static TimeSpan Delay(CredentialSettings settings, int failures, TimeSpan? retryAfter, double jitter)
    {
        var max = settings.MaxRetryDelay;
        var exponentialTicks = settings.RetryDelay.Ticks * Math.Pow(2, Math.Clamp(failures - 1, 0, 16));
        var nominal = exponentialTicks >= max.Ticks ? max : TimeSpan.FromTicks((long)exponentialTicks);
        var wait = TimeSpan.FromTicks((long)(nominal.Ticks * (1 - (MaxJitter * Math.Clamp(jitter, 0, 1)))));
        if (retryAfter is { } asked && asked > wait)
        {
            // The server's word is not shortened by jitter: it said when it would answer.
            wait = asked > max ? max : asked;
        }

        return wait;
    }
}
