using System.Collections.Concurrent;
using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace CertCredentials.Tests.Properties;

/// <summary>
/// Runs one FsCheck property with a bounded number of cases and an overall time cap, and reports what the cases
/// came to (which failure kinds, how many loaded, the slowest call) to the test output.
/// </summary>
/// <remarks>
/// The number of cases is multiplied by the environment variable <c>CERTCREDENTIALS_PROPERTY_SCALE</c> (default 1),
/// so a deeper search runs with e.g. <c>CERTCREDENTIALS_PROPERTY_SCALE=50 dotnet test --filter FullyQualifiedName~Properties</c>.
/// A failure prints FsCheck's replay seed and the recipe of the failing case (seed input and mutations), not the
/// input itself, which may be megabytes long.
/// </remarks>
internal sealed class PropertyRun
{
    private readonly ConcurrentDictionary<string, int> _outcomes = new();
    private readonly ITestOutputHelper? _output;
    private long _slowestTicks;
    private string _slowestCase = string.Empty;

    public PropertyRun(ITestOutputHelper? output = null)
    {
        _output = output;
    }

    /// <summary>The bound on one call of the library.</summary>
    public TimeSpan PerCall { get; init; } = Expect.PerCall;

    public static int Scale =>
        int.TryParse(Environment.GetEnvironmentVariable("CERTCREDENTIALS_PROPERTY_SCALE"), out var scale) && scale > 0 ? scale : 1;

    /// <summary>Counts an outcome ("loaded", "refused: PassphraseIncorrect", ...) for the summary.</summary>
    public void Record(string outcome, TimeSpan elapsed, object @case)
    {
        _outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
        if (elapsed.Ticks > Interlocked.Read(ref _slowestTicks))
        {
            Interlocked.Exchange(ref _slowestTicks, elapsed.Ticks);
            _slowestCase = @case.ToString() ?? string.Empty;
        }
    }

    /// <summary>
    /// Checks <paramref name="property"/> for <paramref name="cases"/> generated values (times <see cref="Scale"/>),
    /// failing if the whole run takes longer than <paramref name="overall"/> (a hang in the library).
    /// </summary>
    public async Task CheckAsync<T>(Arbitrary<T> arbitrary, int cases, Action<T> property, TimeSpan? overall = null)
    {
        var count = cases * Scale;
        var cap = (overall ?? TimeSpan.FromSeconds(120)) * Scale;
        var started = DateTime.UtcNow;
        var run = Task.Run(() => Check.One(Config.QuickThrowOnFailure.WithMaxTest(count).WithQuietOnSuccess(true), Prop.ForAll(arbitrary, property)));
        try
        {
            await run.WaitAsync(cap);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The property did not finish {count} cases within {cap.TotalSeconds} s: some input makes the library hang. Slowest finished case: {_slowestCase}");
        }

        var total = DateTime.UtcNow - started;
        var summary = string.Join(", ", _outcomes.OrderByDescending(o => o.Value).Select(o => $"{o.Key}: {o.Value}"));
        _output?.WriteLine($"{count} cases in {total.TotalSeconds:F1} s; slowest call {TimeSpan.FromTicks(_slowestTicks).TotalMilliseconds:F0} ms ({_slowestCase}); outcomes: {summary}");
    }
}
