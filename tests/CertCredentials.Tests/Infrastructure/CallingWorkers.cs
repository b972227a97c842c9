using System.Diagnostics;
using System.Net;

namespace CertCredentials.Tests.Infrastructure;

/// <summary>
/// The soaks' load: workers calling the protected API's <c>/hello</c> through the authorized HttpClient until stopped,
/// keeping every failure (a status other than 200, or a typed failure) and every call's latency.
/// </summary>
internal sealed class CallingWorkers
{
    private readonly List<string> _failures = [];
    private readonly List<double>[] _latencies;
    private long _calls;

    private CallingWorkers(int workers, Func<HttpClient> client, CancellationToken stop)
    {
        _latencies = new List<double>[workers];
        Completion = Task.WhenAll(Enumerable.Range(0, workers).Select(worker => Task.Run(() => CallAsync(worker, client(), stop))));
    }

    /// <summary>Every worker's end (they end when <c>stop</c> is cancelled).</summary>
    public Task Completion { get; }

    public long Calls => Interlocked.Read(ref _calls);

    public IReadOnlyList<string> Failures
    {
        get
        {
            lock (_failures)
            {
                return [.. _failures];
            }
        }
    }

    /// <param name="workers">How many call at once.</param>
    /// <param name="client">Gives each worker its client.</param>
    /// <param name="stop">Ends the calls.</param>
    public static CallingWorkers Start(int workers, Func<HttpClient> client, CancellationToken stop) => new(workers, client, stop);

    /// <summary>Every call's latency in milliseconds, smallest first (read after <see cref="Completion"/>).</summary>
    public List<double> SortedLatencies() => _latencies.SelectMany(l => l).Order().ToList();

    private async Task CallAsync(int worker, HttpClient client, CancellationToken stop)
    {
        var latencies = _latencies[worker] = [];
        while (!stop.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var response = await client.GetAsync(new Uri("hello", UriKind.Relative), CancellationToken.None);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Fail($"HTTP {(int)response.StatusCode}");
                }
            }
            catch (Exception e) when (e is HttpRequestException or CertificateCredentialException)
            {
                Fail(e.GetType().Name + ": " + e.Message);
            }

            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            Interlocked.Increment(ref _calls);
        }
    }

    private void Fail(string failure)
    {
        lock (_failures)
        {
            _failures.Add(failure);
        }
    }
}
