using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace CertCredentials.Diagnostics;

/// <summary>
/// The <c>CertCredentials</c> Meter and ActivitySource. Instruments are created once; the cached-token path adds to a
/// counter without tags so that it allocates nothing.
/// </summary>
internal static class CredentialTelemetry
{
    public const string Name = "CertCredentials";

    public static readonly ActivitySource ActivitySource = new(Name, typeof(CredentialTelemetry).Assembly.GetName().Version?.ToString());

    public static readonly Meter Meter = new(Name, typeof(CredentialTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Token requests sent to the endpoint (every attempt, retries included), tagged with the outcome.</summary>
    public static readonly Counter<long> TokenRequests = Meter.CreateCounter<long>(
        "certcredentials.token.requests", unit: "{request}", description: "Token requests sent to the token endpoint, retries included.");

    /// <summary>Callers answered from the cache.</summary>
    public static readonly Counter<long> CacheHits = Meter.CreateCounter<long>(
        "certcredentials.cache.hits", unit: "{call}", description: "Token lookups answered from the cache.");

    /// <summary>Callers that had to wait for an acquisition.</summary>
    public static readonly Counter<long> CacheMisses = Meter.CreateCounter<long>(
        "certcredentials.cache.misses", unit: "{call}", description: "Token lookups that waited for a token request.");

    /// <summary>How long an acquisition took, retries included.</summary>
    public static readonly Histogram<double> AcquisitionDuration = Meter.CreateHistogram<double>(
        "certcredentials.token.acquisition.duration", unit: "s", description: "Duration of token acquisitions, retries included.");

    /// <summary>
    /// Checks of the key and certificate after start, tagged with the outcome (<c>switched</c>, <c>unchanged</c>,
    /// <c>deferred</c>: a failed read tried again before it is reported, <c>failed</c>) and the trigger (<c>interval</c>,
    /// <c>file</c>, <c>refusal</c>, <c>options</c>).
    /// </summary>
    public static readonly Counter<long> CertificateReloads = Meter.CreateCounter<long>(
        "certcredentials.certificate.reloads", unit: "{check}", description: "Checks of the key and certificate for a change, by outcome and trigger.");

    /// <summary>Failed acquisitions, tagged with the failure and AADSTS code.</summary>
    public static readonly Counter<long> Failures = Meter.CreateCounter<long>(
        "certcredentials.token.failures", unit: "{failure}", description: "Failed token acquisitions by failure and AADSTS code.");

    /// <summary>Adds one to a counter without tags; a MeterListener that throws does not reach the caller.</summary>
    public static void Count(Counter<long> counter)
    {
        try
        {
            counter.Add(1);
        }
        catch (Exception)
        {
            // Reporting never changes what callers get.
        }
    }

    /// <summary>Adds one to a counter with one tag; a MeterListener that throws does not reach the caller.</summary>
    public static void Count(Counter<long> counter, string tag, string value)
    {
        try
        {
            counter.Add(1, new KeyValuePair<string, object?>(tag, value));
        }
        catch (Exception)
        {
            // Reporting never changes what callers get.
        }
    }
}
