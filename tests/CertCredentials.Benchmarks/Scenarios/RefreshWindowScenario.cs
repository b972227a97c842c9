using System.Diagnostics;
using System.Globalization;
using CertCredentials.Benchmarks.Infrastructure;

namespace CertCredentials.Benchmarks.Scenarios;

/// <summary>
/// Callers keep asking for the token while it enters its refresh window. The loopback service (HTTPS, 50 ms latency)
/// issues one-hour tokens with <c>refresh_in</c>, as Entra does for long-lived tokens, and every library honours it;
/// only the moment differs. CertCredentials refreshes from <c>refresh_in</c>. MSAL (and Azure.Identity through it)
/// refreshes from <c>refresh_in</c> plus a random jitter of -300..+300 s drawn anew on every call, so its window opens
/// 300 s before <c>refresh_in</c>: MSAL is given <c>refresh_in</c> = 300 s more, so that all three windows open at the
/// same moment, a few seconds after the first token. Eight callers each call, note the latency, and pause about a
/// millisecond, until two seconds past that moment. Measured: the latency of every call that started in the second
/// around it (a caller that waited for the refresh would show the 50 ms round trip), and the token requests sent.
/// </summary>
internal static class RefreshWindowScenario
{
    private const int Callers = 8;
    private static readonly TimeSpan EndpointLatency = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan Waited = TimeSpan.FromMilliseconds(25);

    /// <summary>MSAL.NET's Constants.DefaultJitterRangeInSeconds: its refresh moment is RefreshOn + Random(-300, 300) s.</summary>
    private static readonly TimeSpan MsalJitter = TimeSpan.FromSeconds(300);

    public static async Task<string> RunAsync(bool smoke, TextWriter log)
    {
        var opensAt = TimeSpan.FromSeconds(smoke ? 2 : 5);
        var runFor = opensAt + TimeSpan.FromSeconds(2);
        var table = new MarkdownTable("library", "refresh_in sent", "calls in the window", "p50", "p99", "max", $"calls over {Waited.TotalMilliseconds:0} ms", "token requests", "new token served from");
        foreach (var name in Contender.Names)
        {
            var refreshIn = name == "CertCredentials" ? opensAt : opensAt + MsalJitter;
            await using var endpoint = await LoopbackEndpoint.StartAsync(EndpointLatency, refreshIn);
            using var http = endpoint.CreateHttpClient();
            using var contender = Contender.Create(name, endpoint, http);
            var t0 = Stopwatch.GetTimestamp();
            var first = await contender.GetToken();
            var samples = await Task.WhenAll(Enumerable.Range(0, Callers).Select(_ => Task.Run(() => CallerAsync(contender, t0, runFor))));
            var all = samples.SelectMany(s => s).OrderBy(s => s.StartMs).ToList();
            var window = all.Where(s => Math.Abs(s.StartMs - opensAt.TotalMilliseconds) <= 500).Select(s => s.LatencyMs).Order().ToList();
            var newToken = all.FirstOrDefault(s => !string.Equals(s.Token, first, StringComparison.Ordinal));
            table.Add(name, $"{refreshIn.TotalSeconds:0} s", window.Count.ToString(CultureInfo.InvariantCulture),
                Stats.Ms(Stats.Percentile(window, 50)), Stats.Ms(Stats.Percentile(window, 99)), Stats.Ms(window.Count == 0 ? double.NaN : window[^1]),
                window.Count(ms => ms >= Waited.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
                endpoint.TokenRequestCount.ToString(CultureInfo.InvariantCulture),
                newToken.Token is null ? "never" : $"{newToken.StartMs / 1000:0.000} s");
            log.WriteLine($"  {name}: {all.Count} calls, {window.Count} in the window, max overall {Stats.Ms(all.Max(s => s.LatencyMs))}, {endpoint.TokenRequestCount} token requests");
        }

        return $"Crossing the refresh window: the window opens at t = {opensAt.TotalSeconds:0} s after the first request, endpoint latency {EndpointLatency.TotalMilliseconds:0} ms, {Callers} callers, calls until t = {runFor.TotalSeconds:0} s; the columns from \"calls in the window\" on cover the calls started within 0.5 s of the opening (token requests: the whole run, the first one included)\n\n{table}";
    }

    private static async Task<List<(double StartMs, double LatencyMs, string Token)>> CallerAsync(Contender contender, long t0, TimeSpan runFor)
    {
        var samples = new List<(double, double, string)>(16_384);
        while (Stopwatch.GetElapsedTime(t0) < runFor)
        {
            var start = Stopwatch.GetTimestamp();
            var token = await contender.GetToken();
            var end = Stopwatch.GetTimestamp();
            samples.Add((Stats.Milliseconds(t0, start), Stats.Milliseconds(start, end), token));
            await Task.Delay(1);
        }

        return samples;
    }
}
