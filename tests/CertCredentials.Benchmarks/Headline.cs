using System.Globalization;
using System.Text;
using BenchmarkDotNet.Reports;
using CertCredentials.Benchmarks.Scenarios;

namespace CertCredentials.Benchmarks;

/// <summary>
/// Turns BenchmarkDotNet summaries into the tables of results.md: every case, then ours against both anchors. Figures
/// are medians of the iterations (the machine is shared: a median shrugs off an iteration slowed by a neighbour; the
/// BenchmarkDotNet reports beside results.md give means too).
/// </summary>
internal static class Headline
{
    private record struct Figure(string Class, string Method, string Spread, double Ns, double Mean, double NsError, long? Bytes);

    public static string Describe(Summary summary)
    {
        var table = new MarkdownTable("method", "params", "median", "mean ± 99.9% CI", "allocated per call", "median vs baseline");
        var figures = Figures(summary).ToList();
        foreach (var f in figures)
        {
            var baseline = figures.FirstOrDefault(b => b.Spread == f.Spread && IsBaseline(summary, b));
            table.Add(f.Method, f.Spread, Time(f.Ns), $"{Time(f.Mean)} ± {Time(f.NsError)}", Bytes(f.Bytes), baseline.Method is null ? "-" : Stats.Ratio(f.Ns, baseline.Ns));
        }

        return table.ToString();
    }

    public static string Summarize(IEnumerable<Summary> summaries)
    {
        var figures = summaries.SelectMany(Figures).ToList();
        var text = new StringBuilder("## Headline: CertCredentials against the anchors\n\n");
        var table = new MarkdownTable("scenario", "CertCredentials", "MSAL.NET", "Azure.Identity", "Microsoft.Identity.Web", "MSAL / ours", "Azure.Identity / ours", "Identity.Web / ours", "target");

        Figure? Find(string cls, string method, string spread = "") =>
            figures.Where(f => f.Class == cls && f.Method == method && f.Spread == spread).Select(f => (Figure?)f).FirstOrDefault();

        if (Find("CachedTokenBenchmarks", "CertCredentials") is { } ours && Find("CachedTokenBenchmarks", "Msal") is { } msal && Find("CachedTokenBenchmarks", "AzureIdentity") is { } azure)
        {
            var idw = Find("CachedTokenBenchmarks", "IdentityWebHeader");
            table.Add("cached token, one credential: time", Time(ours.Ns), Time(msal.Ns), Time(azure.Ns), idw is { } w ? Time(w.Ns) : "-",
                Times(msal.Ns / ours.Ns), Times(azure.Ns / ours.Ns), idw is { } w2 ? Times(w2.Ns / ours.Ns) : "-", ">= 50x faster than MSAL");
            table.Add("cached token, one credential: allocated", Bytes(ours.Bytes), Bytes(msal.Bytes), Bytes(azure.Bytes), Bytes(idw?.Bytes), "-", "-", "-", "0 B");
        }

        var spreads = figures.Where(f => f.Class == "ManyTokensBenchmarks").Select(f => f.Spread).Distinct().ToList();
        foreach (var spread in spreads.Where(s => s != "1 token"))
        {
            var cells = new[] { "CertCredentials", "Msal", "AzureIdentity" }.Select(m =>
                (Many: Find("ManyTokensBenchmarks", m, spread), One: Find("ManyTokensBenchmarks", m, "1 token"))).ToArray();
            string Cell((Figure? Many, Figure? One) c) => c.Many is { } many && c.One is { } one ? $"{Time(many.Ns)} ({Times(many.Ns / one.Ns)} of 1 token)" : "-";
            string Vs((Figure? Many, Figure? One) anchor, Figure? ours) => anchor.Many is { } a && ours is { } o ? Times(a.Ns / o.Ns) : "-";
            var single = Find("CachedTokenBenchmarks", "CertCredentials");
            foreach (var (method, call) in new[] { ("CertCredentialsOneForAll", "GetTokenAsync(tenant, scope)"), ("CertCredentialsTenantInHand", "ForTenant once, then TenantCredential.GetTokenAsync()") })
            {
                if (Find("ManyTokensBenchmarks", method, spread) is { } all && single is { } one)
                {
                    table.Add($"cached, {spread}, one credential: {call}", $"{Time(all.Ns)} ({Times(all.Ns / one.Ns)} of one credential's GetTokenAsync(), {Bytes(all.Bytes)})",
                        "-", "-", "-", Vs(cells[1], all), Vs(cells[2], all), "-", "flat: within 1.5x of 1 token");
                }
            }

            table.Add($"cached, {spread}, a credential each", Cell(cells[0]), Cell(cells[1]), Cell(cells[2]), "-", Vs(cells[1], cells[0].Many), Vs(cells[2], cells[0].Many), "-", "flat: within 1.5x of 1 token");
            foreach (var (floor, name) in new[] { ("FloorOneObject", "a bare lookup touching 1 object"), ("FloorTwoObjects", "a bare lookup touching 2 objects"), ("FloorDenseTable", "a dense table, index in hand"), ("FloorDenseTableByKey", "a dense table found by key") })
            {
                var f = (Many: Find("ManyTokensBenchmarks", floor, spread), One: Find("ManyTokensBenchmarks", floor, "1 token"));
                if (f.Many is not null)
                {
                    table.Add($"cached, {spread}: reference, {name}", Cell(f), "-", "-", "-", "-", "-", "-", "(no target: shows what memory alone costs)");
                }
            }

            var inHand = (Many: Find("ManyTokensBenchmarks", "CertCredentialsInHand", spread), One: Find("ManyTokensBenchmarks", "CertCredentialsInHand", "1 token"));
            if (inHand.Many is not null)
            {
                table.Add($"cached, {spread}, credential in hand (no dictionary)", Cell(inHand), "-", "-", "-", Vs(cells[1], inHand.Many), Vs(cells[2], inHand.Many), "-", "flat: within 1.5x of 1 token");
            }
        }

        if (Find("ColdAcquisitionBenchmarks", "RawSignAndPost") is { } raw)
        {
            var cold = new[] { "CertCredentials", "Msal", "AzureIdentity", "IdentityWebHeader" }.Select(m => Find("ColdAcquisitionBenchmarks", m)).ToArray();
            string Cell(Figure? f) => f is { } v ? $"{Time(v.Ns)} ({Times(v.Ns / raw.Ns)} of raw)" : "-";
            table.Add($"cold acquisition (raw sign + POST: {Time(raw.Ns)})", Cell(cold[0]), Cell(cold[1]), Cell(cold[2]), Cell(cold[3]),
                Vs(cold[0], cold[1]), Vs(cold[0], cold[2]), Vs(cold[0], cold[3]), "within 1.2x of raw");
        }

        foreach (var api in figures.Where(f => f.Class == "AuthorizedHttpClientBenchmarks").Select(f => f.Spread).Distinct())
        {
            if (Find("AuthorizedHttpClientBenchmarks", "FixedHeader", api) is not { } fixedHeader)
            {
                continue;
            }

            var http = new[] { "CertCredentials", "Msal", "AzureIdentity", "IdentityWebHandler" }.Select(m => Find("AuthorizedHttpClientBenchmarks", m, api)).ToArray();
            string Cell(Figure? f) => f is { } v ? $"{Time(v.Ns)} ({Times(v.Ns / fixedHeader.Ns)} of fixed header)" : "-";
            table.Add($"authorized HttpClient, {api} (fixed header through the same factory: {Time(fixedHeader.Ns)})", Cell(http[0]), Cell(http[1]) + " (hand-written handler)", Cell(http[2]) + " (hand-written handler)", Cell(http[3]),
                Vs(http[0], http[1]), Vs(http[0], http[2]), Vs(http[0], http[3]), "within 1.05x of fixed header");
        }

        return text.Append(table).ToString();
    }

    /// <summary>The anchor's time over ours ("-" when either is missing).</summary>
    private static string Vs(Figure? ours, Figure? anchor) => ours is { } o && anchor is { } a ? Times(a.Ns / o.Ns) : "-";

    private static bool IsBaseline(Summary summary, Figure figure) =>
        summary.BenchmarksCases.Any(c => c.Descriptor.WorkloadMethod.Name == figure.Method && c.Descriptor.Baseline);

    private static IEnumerable<Figure> Figures(Summary summary) =>
        summary.Reports.Where(r => r.ResultStatistics is not null).Select(r => new Figure(
            r.BenchmarkCase.Descriptor.Type.Name,
            r.BenchmarkCase.Descriptor.WorkloadMethod.Name,
            r.BenchmarkCase.Parameters.Items.Count == 0 ? string.Empty : string.Join(", ", r.BenchmarkCase.Parameters.Items.Select(p => p.Value?.ToString())),
            r.ResultStatistics!.Median,
            r.ResultStatistics.Mean,
            r.ResultStatistics.N >= 3 ? r.ResultStatistics.ConfidenceInterval.Margin : double.NaN,
            r.GcStats.GetBytesAllocatedPerOperation(r.BenchmarkCase)));

    private static string Time(double ns) => double.IsNaN(ns) ? "-" : ns switch
    {
        < 1_000 => ns.ToString("0.0", CultureInfo.InvariantCulture) + " ns",
        < 1_000_000 => (ns / 1_000).ToString("0.00", CultureInfo.InvariantCulture) + " µs",
        _ => (ns / 1_000_000).ToString("0.000", CultureInfo.InvariantCulture) + " ms",
    };

    private static string Times(double ratio) => ratio.ToString(ratio >= 10 ? "0" : "0.00", CultureInfo.InvariantCulture) + "x";

    private static string Bytes(long? bytes) => bytes is { } b ? b.ToString("N0", CultureInfo.InvariantCulture) + " B" : "-";
}
