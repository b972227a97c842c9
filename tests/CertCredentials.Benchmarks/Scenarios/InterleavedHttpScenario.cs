using CertCredentials.Benchmarks.Micro;

namespace CertCredentials.Benchmarks.Scenarios;

/// <summary>
/// The authorized HttpClient again, interleaved: each round sends one GET through each of the five clients (a fixed
/// header through the same factory, CertCredentials' handler, MSAL and Azure.Identity in a hand-written handler,
/// Identity.Web's handler) in a rotating order, so the load of this shared machine falls on all five alike. Requests are timed in batches of 20 (a single request on
/// the in-process API lasts about a microsecond, too short to time alone).
/// </summary>
internal static class InterleavedHttpScenario
{
    private const int Batch = 20;

    public static async Task<string> RunAsync(bool smoke, TextWriter log)
    {
        var rounds = smoke ? 5 : 1_000;
        var text = new System.Text.StringBuilder();
        foreach (var api in new[] { "loopback API", "in-process" })
        {
            var benchmarks = new AuthorizedHttpClientBenchmarks { Api = api };
            benchmarks.Setup();
            try
            {
                var names = new[] { "fixed header, same factory (no library)", "CertCredentials handler", "MSAL.NET, hand-written handler", "Azure.Identity, hand-written handler", "Identity.Web handler" };
                var calls = new Func<Task>[] { benchmarks.FixedHeader, benchmarks.CertCredentials, benchmarks.Msal, benchmarks.AzureIdentity, benchmarks.IdentityWebHandler };
                var samples = await InterleavedRounds.MeasureAsync(calls, warmupRounds: 20, rounds, Batch);
                var medians = samples.Select(Stats.Median).ToArray();
                var table = InterleavedRounds.Table(names, samples, Stats.Ms, "client", "median per request", "median vs fixed header", differenceHeader: null);

                log.WriteLine($"  {api}: fixed {Stats.Ms(medians[0])}, CertCredentials {Stats.Ms(medians[1])}");
                text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"Authorized HttpClient, interleaved, {rounds} rounds of {Batch} requests, {api}").AppendLine().AppendLine(table.ToString());
            }
            finally
            {
                benchmarks.Cleanup();
            }
        }

        return text.ToString();
    }
}
