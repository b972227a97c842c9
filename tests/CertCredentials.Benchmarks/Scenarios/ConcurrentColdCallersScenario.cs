using System.Diagnostics;
using System.Globalization;
using CertCredentials.Benchmarks.Infrastructure;

namespace CertCredentials.Benchmarks.Scenarios;

/// <summary>
/// 200 callers ask a cold client for a token at the same moment; the loopback token service (HTTPS, verifying every
/// assertion) answers after 50 ms. Each round uses a new client and a new HttpClient (a cold start: no token, no
/// connection). Measured: token requests the service received, and each caller's wait from the common start (all
/// callers are released together) to its token; a caller whose thread was busy signing someone else's assertion waits
/// too. The reference is one caller alone, cold, on the same setup: one round trip with its TLS handshake and signature.
/// </summary>
internal static class ConcurrentColdCallersScenario
{
    public const int Callers = 200;
    public static readonly TimeSpan EndpointLatency = TimeSpan.FromMilliseconds(50);

    public static async Task<string> RunAsync(bool smoke, TextWriter log)
    {
        var rounds = smoke ? 1 : 5;
        await using var endpoint = await LoopbackEndpoint.StartAsync(EndpointLatency);
        var table = new MarkdownTable("library", "token requests per 200 callers", "p50 wait", "p99 wait", "max wait", "1 caller alone (median)", "p99 / 1 caller");
        foreach (var name in Contender.Names)
        {
            // One unrecorded round of each shape warms the JIT.
            await RoundAsync(endpoint, name, 1);
            await RoundAsync(endpoint, name, Callers);
            var alone = new List<double>();
            for (var r = 0; r < rounds; r++)
            {
                alone.Add((await RoundAsync(endpoint, name, 1)).Waits[0]);
            }

            var waits = new List<double>();
            var requests = new List<int>();
            for (var r = 0; r < rounds; r++)
            {
                var round = await RoundAsync(endpoint, name, Callers);
                waits.AddRange(round.Waits);
                requests.Add(round.Requests);
                log.WriteLine($"  {name}: round {r + 1}: {round.Requests} requests, {round.Tokens} distinct tokens, p99 {Stats.Ms(Stats.Percentile(round.Waits.Order().ToList(), 99))}");
            }

            var sorted = waits.Order().ToList();
            var single = Stats.Median(alone);
            var p99 = Stats.Percentile(sorted, 99);
            table.Add(name,
                string.Join(", ", requests.Select(r => r.ToString(CultureInfo.InvariantCulture))),
                Stats.Ms(Stats.Percentile(sorted, 50)), Stats.Ms(p99), Stats.Ms(sorted[^1]), Stats.Ms(single), Stats.Ratio(p99, single));
        }

        return $"{Callers} concurrent cold callers, endpoint latency {EndpointLatency.TotalMilliseconds:0} ms, {rounds} round(s) each (one value per round in the requests column)\n\n{table}";
    }

    private static async Task<(double[] Waits, int Requests, int Tokens)> RoundAsync(LoopbackEndpoint endpoint, string name, int callers)
    {
        using var http = endpoint.CreateHttpClient();
        using var contender = Contender.Create(name, endpoint, http);
        var before = endpoint.TokenRequestCount;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ready = 0;
        var released = 0L;
        var tasks = new Task<(double Wait, string Token)>[callers];
        for (var i = 0; i < callers; i++)
        {
            tasks[i] = Task.Run(async () =>
            {
                Interlocked.Increment(ref ready);
                await gate.Task;
                var token = await contender.GetToken();
                return (Stats.Milliseconds(Volatile.Read(ref released), Stopwatch.GetTimestamp()), token);
            });
        }

        var waitingSince = Stopwatch.GetTimestamp();
        while (Volatile.Read(ref ready) < callers)
        {
            Check.That(Stopwatch.GetElapsedTime(waitingSince) < TimeSpan.FromSeconds(30), "callers did not start");
            await Task.Delay(1);
        }

        Volatile.Write(ref released, Stopwatch.GetTimestamp());
        gate.SetResult();
        var all = Task.WhenAll(tasks);
        Check.That(await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(120))) == all, $"{name}: {callers} callers did not get tokens within 120 s");
        var results = await all;
        return (results.Select(r => r.Wait).ToArray(), endpoint.TokenRequestCount - before, results.Select(r => r.Token).Distinct(StringComparer.Ordinal).Count());
    }
}
