using System.Diagnostics;

namespace CertCredentials.Benchmarks.Scenarios;

/// <summary>
/// The interleaving of the scenarios: every call once per round, in an order that rotates each round, so that a
/// neighbour's burst on this shared machine slows all of them alike; then a table of each call against the first.
/// </summary>
internal static class InterleavedRounds
{
    /// <summary>Each call's durations in milliseconds (divided by <paramref name="batch"/>), after <paramref name="warmupRounds"/> unrecorded rounds.</summary>
    /// <param name="calls">The contenders; the first is the floor the table compares with.</param>
    /// <param name="warmupRounds">Rounds run first and not recorded.</param>
    /// <param name="rounds">Rounds recorded.</param>
    /// <param name="batch">How many times a call runs per turn (the duration is per call).</param>
    public static async Task<List<double>[]> MeasureAsync(IReadOnlyList<Func<Task>> calls, int warmupRounds, int rounds, int batch = 1)
    {
        var samples = calls.Select(_ => new List<double>(rounds)).ToArray();
        for (var round = -warmupRounds; round < rounds; round++)
        {
            for (var k = 0; k < calls.Count; k++)
            {
                var which = (k + Math.Abs(round)) % calls.Count;
                var start = Stopwatch.GetTimestamp();
                for (var i = 0; i < batch; i++)
                {
                    await calls[which]();
                }

                if (round >= 0)
                {
                    samples[which].Add(Stats.Milliseconds(start, Stopwatch.GetTimestamp()) / batch);
                }
            }
        }

        return samples;
    }

    /// <summary>Median, p10 and p90 of each call, its median's ratio to the first's and, with <paramref name="differenceHeader"/>, the difference.</summary>
    public static MarkdownTable Table(IReadOnlyList<string> names, List<double>[] samples, Func<double, string> format, string firstHeader,
                                      string medianHeader, string ratioHeader, string? differenceHeader)
    {
        var medians = samples.Select(Stats.Median).ToArray();
        string[] headers = differenceHeader is null
            ? [firstHeader, medianHeader, "p10", "p90", ratioHeader]
            : [firstHeader, medianHeader, "p10", "p90", ratioHeader, differenceHeader];
        var table = new MarkdownTable(headers);
        for (var k = 0; k < names.Count; k++)
        {
            var sorted = samples[k].Order().ToList();
            string[] row = [names[k], format(medians[k]), format(Stats.Percentile(sorted, 10)), format(Stats.Percentile(sorted, 90)), Stats.Ratio(medians[k], medians[0])];
            table.Add(differenceHeader is null ? row : [.. row, k == 0 ? "-" : format(medians[k] - medians[0])]);
        }

        return table;
    }
}
