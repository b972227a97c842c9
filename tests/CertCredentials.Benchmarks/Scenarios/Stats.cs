using System.Diagnostics;
using System.Globalization;

namespace CertCredentials.Benchmarks.Scenarios;

internal static class Stats
{
    /// <summary>Nearest-rank percentile of milliseconds (p in 0..100).</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(p / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return Percentile(sorted, 50);
    }

    public static double Milliseconds(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;

    public static string Ms(double ms) => double.IsNaN(ms) ? "-" : ms switch
    {
        < 0.01 => ms.ToString("0.0000", CultureInfo.InvariantCulture) + " ms",
        < 1 => ms.ToString("0.000", CultureInfo.InvariantCulture) + " ms",
        < 100 => ms.ToString("0.0", CultureInfo.InvariantCulture) + " ms",
        _ => ms.ToString("0", CultureInfo.InvariantCulture) + " ms",
    };

    public static string Ratio(double value, double reference) =>
        double.IsNaN(value) || double.IsNaN(reference) || reference == 0 ? "-" : (value / reference).ToString("0.00", CultureInfo.InvariantCulture) + "x";
}
