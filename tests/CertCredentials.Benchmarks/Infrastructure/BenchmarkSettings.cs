namespace CertCredentials.Benchmarks.Infrastructure;

/// <summary>
/// Run-wide settings, set by Program before anything runs. The benchmarks run in process (one process, one run), so
/// they see these statics.
/// </summary>
internal static class BenchmarkSettings
{
    /// <summary>The CI smoke: every benchmark and scenario once, small sizes, figures meaningless.</summary>
    public static bool Smoke { get; set; }

    /// <summary>How many tenants or scopes the multi-token benchmark spreads over (10,000; 100 in the smoke).</summary>
    public static int ManyTokens => Smoke ? 100 : 10_000;
}
