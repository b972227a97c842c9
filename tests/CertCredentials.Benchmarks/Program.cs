using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Csv;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using CertCredentials.Benchmarks.Infrastructure;
using CertCredentials.Benchmarks.Micro;
using CertCredentials.Benchmarks.Scenarios;
using Perfolizer.Horology;

namespace CertCredentials.Benchmarks;

/// <summary>
/// Runs the BenchmarkDotNet microbenchmarks (in process) and the measured scenarios, all three libraries in one
/// process, and writes results.md into the output folder.
/// <code>
/// CertCredentials.Benchmarks [--smoke] [--out DIR] [--micro-only | --scenarios-only] [--filter Cached,Many,Cold,Authorized,Shared,TokenCredential,scenarios]
/// (a scenario alone: ColdInterleaved, HttpInterleaved, RedisInterleaved, ConcurrentCold, RefreshWindow)
/// </code>
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var smoke = args.Contains("--smoke");
        var microOnly = args.Contains("--micro-only");
        var scenariosOnly = args.Contains("--scenarios-only");
        var outDir = Path.GetFullPath(ValueOf(args, "--out") ?? Path.Combine("artifacts", "benchmarks", smoke ? "smoke" : "latest"));
        var filter = ValueOf(args, "--filter")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        BenchmarkSettings.Smoke = smoke;
        Directory.CreateDirectory(outDir);

        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"# CertCredentials benchmarks{(smoke ? " (SMOKE: figures meaningless)" : string.Empty)}");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"- date (UTC): {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm}");
        report.AppendLine(CultureInfo.InvariantCulture, $"- runtime: {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}, {Environment.ProcessorCount} logical cores");
        report.AppendLine(CultureInfo.InvariantCulture, $"- libraries: CertCredentials {Version(typeof(CertificateClientCredential).Assembly)}, MSAL.NET {Version(typeof(Microsoft.Identity.Client.ConfidentialClientApplication).Assembly)}, Azure.Identity {Version(System.Reflection.Assembly.Load("Azure.Identity"))}, Azure.Core {Version(typeof(global::Azure.Core.AccessToken).Assembly)}, Microsoft.Identity.Web.TokenAcquisition {Version(typeof(Microsoft.Identity.Web.TokenAcquisitionOptions).Assembly)} (Azure.Identity's ClientCertificateCredential is type-forwarded to, and runs in, {typeof(global::Azure.Identity.ClientCertificateCredential).Assembly.GetName().Name})");
        report.AppendLine(CultureInfo.InvariantCulture, $"- load average at start: {LoadAverage()}");
        report.AppendLine();
        var failed = false;

        if (!scenariosOnly)
        {
            var types = new[] { typeof(CachedTokenBenchmarks), typeof(ManyTokensBenchmarks), typeof(ColdAcquisitionBenchmarks), typeof(AuthorizedHttpClientBenchmarks), typeof(SharedCacheBenchmarks), typeof(TokenCredentialBenchmarks) }
                .Where(t => filter is null || filter.Any(f => t.Name.StartsWith(f, StringComparison.OrdinalIgnoreCase)))
                .ToArray();
            var summaries = types.Length == 0 ? [] : BenchmarkRunner.Run(types, CreateConfig(smoke, Path.Combine(outDir, "bdn")));
            foreach (var summary in summaries)
            {
                var broken = summary.HasCriticalValidationErrors || summary.Reports.Any(r => !r.Success) || summary.Reports.Length == 0;
                failed |= broken;
                report.AppendLine(CultureInfo.InvariantCulture, $"## {summary.Title.Split('-')[0]}{(broken ? " (FAILED: see the log)" : string.Empty)}");
                report.AppendLine();
                report.AppendLine(Headline.Describe(summary));
                report.AppendLine(CultureInfo.InvariantCulture, $"load average after it: {LoadAverage()}").AppendLine();
            }

            report.AppendLine(Headline.Summarize(summaries));
        }

        if (!microOnly)
        {
            foreach (var (key, title, run) in new (string, string, Func<Task<string>>)[]
            {
                ("ColdInterleaved", "Cold acquisition, interleaved", () => InterleavedColdScenario.RunAsync(smoke, Console.Out)),
                ("HttpInterleaved", "Authorized HttpClient, interleaved", () => InterleavedHttpScenario.RunAsync(smoke, Console.Out)),
                ("RedisInterleaved", "Redis hit, interleaved", () => InterleavedRedisScenario.RunAsync(smoke, Console.Out)),
                ("ConcurrentCold", "Concurrent cold callers", () => ConcurrentColdCallersScenario.RunAsync(smoke, Console.Out)),
                ("RefreshWindow", "Refresh window", () => RefreshWindowScenario.RunAsync(smoke, Console.Out)),
            }.Where(s => filter is null || filter.Contains("scenarios", StringComparer.OrdinalIgnoreCase) || filter.Contains(s.Item1, StringComparer.OrdinalIgnoreCase)))
            {
                Console.WriteLine($"// scenario: {title}");
                try
                {
                    var table = await run();
                    Console.WriteLine(table);
                    report.AppendLine(CultureInfo.InvariantCulture, $"## {title}").AppendLine().AppendLine(table);
                    report.AppendLine(CultureInfo.InvariantCulture, $"load average after it: {LoadAverage()}").AppendLine();
                }
                catch (Exception e)
                {
                    failed = true;
                    Console.Error.WriteLine($"scenario {title} failed: {e}");
                    report.AppendLine(CultureInfo.InvariantCulture, $"## {title} (FAILED)").AppendLine().AppendLine("```").AppendLine(e.ToString()).AppendLine("```");
                }
            }
        }

        var path = Path.Combine(outDir, "results.md");
        await File.WriteAllTextAsync(path, report.ToString());
        Console.WriteLine($"// results: {path}{(failed ? " (with failures)" : string.Empty)}");
        return failed ? 1 : 0;
    }

    private static ManualConfig CreateConfig(bool smoke, string artifacts)
    {
        var job = smoke
            ? Job.Dry
            : Job.Default.WithWarmupCount(4).WithIterationCount(15).WithIterationTime(TimeInterval.FromMilliseconds(250));
        var config = ManualConfig.CreateEmpty()
            .AddJob(job.WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(10), logOutput: true)).WithId(smoke ? "Smoke" : "InProcess"))
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddLogger(ConsoleLogger.Default)
            .AddExporter(MarkdownExporter.GitHub, CsvExporter.Default)
            .WithArtifactsPath(artifacts)
            .WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared))
            .WithSummaryStyle(SummaryStyle.Default.WithRatioStyle(BenchmarkDotNet.Columns.RatioStyle.Trend));
        return config;
    }

    private static string? ValueOf(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static string Version(System.Reflection.Assembly assembly) =>
        assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion.Split('+')[0]
        ?? assembly.GetName().Version?.ToString() ?? "?";

    /// <summary>The machine is shared: the load average says how much else ran beside the benchmarks.</summary>
    internal static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) + $" (1, 5, 15 min; {Environment.ProcessorCount} cores)";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
