using CertCredentials.Benchmarks.Infrastructure;
using CertCredentials.Benchmarks.Micro;

namespace CertCredentials.Benchmarks.Scenarios;

/// <summary>
/// Cold acquisition again, but interleaved: each round calls the raw floor, CertCredentials, MSAL, Azure.Identity and
/// Identity.Web once each, in a rotating order, so a neighbour's burst on this shared machine slows all five alike instead of
/// whichever BenchmarkDotNet happened to be running. Two endpoints: the real loopback service (the target's "same
/// round trip") and an in-process endpoint that answers at once, which leaves only the client's own work: the
/// signature and everything each library does around it.
/// </summary>
internal static class InterleavedColdScenario
{
    public static async Task<string> RunAsync(bool smoke, TextWriter log)
    {
        var rounds = smoke ? 5 : 400;
        var text = new System.Text.StringBuilder();
        foreach (var inProcess in new[] { false, true })
        {
            var benchmarks = new ColdAcquisitionBenchmarks { InProcessEndpoint = inProcess };
            benchmarks.Setup();
            try
            {
                var names = new[] { "raw RSA.SignData + POST", "CertCredentials", "MSAL.NET", "Azure.Identity", "Microsoft.Identity.Web" };
                var calls = new Func<Task>[] { benchmarks.RawSignAndPost, benchmarks.CertCredentials, benchmarks.Msal, () => benchmarks.AzureIdentity().AsTask(), benchmarks.IdentityWebHeader };
                var samples = await InterleavedRounds.MeasureAsync(calls, warmupRounds: 20, rounds);
                var medians = samples.Select(Stats.Median).ToArray();
                var table = InterleavedRounds.Table(names, samples, Stats.Ms, "method", "median", "median vs raw", "median minus raw");

                var where = inProcess ? "in-process endpoint (client-side work only)" : "loopback token service over HTTPS (the same round trip as the target)";
                log.WriteLine($"  {where}: raw {Stats.Ms(medians[0])}, CertCredentials {Stats.Ms(medians[1])}");
                text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"Cold acquisition, interleaved, {rounds} rounds, {where}").AppendLine().AppendLine(table.ToString());
            }
            finally
            {
                benchmarks.Cleanup();
            }
        }

        return text.ToString();
    }
}
