using System.Diagnostics;
using System.Globalization;
using System.Net;
using CertCredentials.Tests.Infrastructure;
using Xunit.Abstractions;

namespace CertCredentials.Tests.Reliability;

/// <summary>
/// Several workers call a protected API through the authorized HttpClient for a bounded time while the token service
/// issues tokens that live seconds: zero failed calls, zero requests with an expired token, and token requests close
/// to elapsed / refresh interval. CI runs the reduced size; Reliability/soak.sh runs the full one (SOAK_SECONDS,
/// SOAK_WORKERS, SOAK_TOKEN_SECONDS) and writes its figures where SOAK_REPORT says.
/// </summary>
public sealed class SoakTests(ITestOutputHelper output)
{
    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;

    [Fact]
    public async Task Workers_see_no_failure_and_no_expired_token_while_short_lived_tokens_roll_over()
    {
        var seconds = Setting("SOAK_SECONDS", 8);
        var workers = Setting("SOAK_WORKERS", 4);
        var tokenSeconds = Setting("SOAK_TOKEN_SECONDS", 6);

        await using var resource = await LocalResource.StartAsync(
            o => { o.ExpirationMargin = TimeSpan.FromSeconds(tokenSeconds / 3.0); o.RefreshRatio = 0.5; o.MaxRetries = 2; o.RetryDelay = TimeSpan.FromMilliseconds(50); },
            configureEntra: e => e.AccessTokenLifetime = TimeSpan.FromSeconds(tokenSeconds + 1));

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var watch = Stopwatch.StartNew();
        var calling = CallingWorkers.Start(workers, () => resource.Client, stop.Token);
        await calling.Completion.WaitAsync(TimeSpan.FromSeconds(seconds + 60));
        var elapsed = watch.Elapsed;

        var apiRequests = resource.Api.Requests;
        var tokenRequests = resource.Entra.Service.TokenRequestCount;
        // The service's expires_in is its token lifetime minus a second; refresh starts at half of that.
        var refreshInterval = tokenSeconds * 0.5;
        var expected = elapsed.TotalSeconds / refreshInterval;
        var all = calling.SortedLatencies();
        var p99 = all.Count == 0 ? 0 : all[(int)Math.Min(all.Count - 1, Math.Ceiling(all.Count * 0.99) - 1)];
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"soak: {elapsed.TotalSeconds:F1} s, {workers} workers, tokens with expires_in {tokenSeconds} s (refresh every {refreshInterval:F1} s): {calling.Calls} calls, {calling.Failures.Count} failed, {apiRequests.Count(r => r.TokenExpired)} sent with an expired token, {tokenRequests} token requests (expected about {expected:F1}), p99 call {p99:F1} ms");
        output.WriteLine(summary);
        if (Environment.GetEnvironmentVariable("SOAK_REPORT") is { Length: > 0 } report)
        {
            await File.WriteAllTextAsync(report, summary + Environment.NewLine);
        }

        calling.Failures.Should().BeEmpty();
        calling.Calls.Should().BeGreaterThan(workers * seconds, "the workers really ran");
        apiRequests.Should().NotContain(r => r.TokenExpired, "no request leaves with an expired token");
        apiRequests.Should().OnlyContain(r => r.TokenValid);
        tokenRequests.Should().BeInRange((int)Math.Floor(expected * 0.6), (int)Math.Ceiling(expected * 1.4) + 2);
    }
}
