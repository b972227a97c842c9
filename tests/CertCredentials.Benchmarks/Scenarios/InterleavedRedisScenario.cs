using System.Globalization;
using CertCredentials.Benchmarks.Micro;

namespace CertCredentials.Benchmarks.Scenarios;

/// <summary>
/// The Redis hit and its floor again, interleaved: each round makes the raw GET + open, the store's GET + open, the
/// bounded GET + open and the full hit once each, in a rotating order, so that a neighbour's burst on this shared
/// machine slows the four alike (BenchmarkDotNet runs them one after the other, each under whatever load there was).
/// </summary>
internal static class InterleavedRedisScenario
{
    public static async Task<string> RunAsync(bool smoke, TextWriter log)
    {
        var rounds = smoke ? 5 : 5000;
        var benchmarks = new SharedCacheBenchmarks();
        benchmarks.Setup();
        try
        {
            var names = new[] { "raw GET + AES-GCM open (floor)", "store GET + open", "store GET bounded (CallAsync) + open", "Redis hit (read, open, schedule)" };
            var calls = new Func<Task>[] { benchmarks.RawGetAndDecrypt, benchmarks.StoreGetAndDecrypt, benchmarks.BoundedGetAndDecrypt, benchmarks.RedisHit };
            var samples = await InterleavedRounds.MeasureAsync(calls, warmupRounds: 200, rounds);
            var medians = samples.Select(Stats.Median).ToArray();
            var table = InterleavedRounds.Table(names, samples, Us, "method", "median", "median vs floor", "median minus floor");

            log.WriteLine($"  Redis: floor {Us(medians[0])}, hit {Us(medians[3])}");
            return $"Redis hit, interleaved, {rounds} rounds\n\n{table}";
        }
        finally
        {
            benchmarks.Cleanup();
        }
    }

    private static string Us(double ms) => double.IsNaN(ms) ? "-" : (ms * 1000).ToString("0.0", CultureInfo.InvariantCulture) + " µs";
}
