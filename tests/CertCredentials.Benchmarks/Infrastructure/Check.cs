namespace CertCredentials.Benchmarks.Infrastructure;

/// <summary>Setup assertions: a benchmark that does not measure what it says must fail loudly, not report a figure.</summary>
internal static class Check
{
    public static void That(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Benchmark setup check failed: " + what);
        }
    }
}
