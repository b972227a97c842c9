using System.Diagnostics;
using System.Globalization;
using System.Net;
using CertCredentials.Diagnostics;
using CertCredentials.Tests.Diagnostics;
using CertCredentials.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Xunit.Abstractions;

namespace CertCredentials.Tests.Reliability;

/// <summary>
/// Workers call a protected API through the authorized HttpClient for a bounded time while the certificate rotates
/// every few seconds as a Kubernetes secret volume rotates it (a new timestamped folder, <c>..data</c> re-pointed at
/// it, the old folder deleted), and each old certificate is removed from the token service shortly after the switch,
/// as a rollover does: zero failed calls, every token request signed with a certificate registered when it arrived
/// (never an older one after a newer), one switch per rotation in <c>certcredentials.certificate.reloads</c>. Tokens
/// live seconds, so every certificate signs token requests. Runs alone: the Meter is process-wide.
/// ROTATION_SOAK_SECONDS, ROTATION_SOAK_WORKERS and ROTATION_SOAK_EVERY_MS change the size.
/// </summary>
[Collection(TelemetryListeners.Name)]
public sealed class RotationSoakTests(ITestOutputHelper output) : IDisposable
{
    private const string ClientId = "cccccccc-0000-4000-8000-000000000010";
    private readonly TempFolder _folder = new();
    private string? _published;

    public void Dispose() => _folder.Dispose();

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;

    /// <summary>Publishes a version as the kubelet does: write a new folder, point <c>..data_tmp</c> at it, rename it over <c>..data</c>, delete the old folder.</summary>
    private void Publish(MadeCertificate certificate, int version)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"..2026_12_02_15_00_{version:00}.{version:000000000}");
        var folder = Directory.CreateDirectory(_folder.File(name)).FullName;
        File.WriteAllText(Path.Combine(folder, "tls.key"), certificate.KeyPem);
        File.WriteAllText(Path.Combine(folder, "tls.crt"), certificate.CertificatePem);
        if (_published is null)
        {
            Directory.CreateSymbolicLink(_folder.File("..data"), name);
            File.CreateSymbolicLink(_folder.File("tls.key"), Path.Combine("..data", "tls.key"));
            File.CreateSymbolicLink(_folder.File("tls.crt"), Path.Combine("..data", "tls.crt"));
        }
        else
        {
            Directory.CreateSymbolicLink(_folder.File("..data_tmp"), name);
            PosixRename.Replace(_folder.File("..data_tmp"), _folder.File("..data"));
            Directory.Delete(_published, recursive: true);
        }

        _published = folder;
    }

    [Fact]
    public async Task Callers_see_no_failure_while_the_certificate_rotates_and_the_old_one_is_removed()
    {
        var seconds = Setting("ROTATION_SOAK_SECONDS", 10);
        var workers = Setting("ROTATION_SOAK_WORKERS", 4);
        var every = TimeSpan.FromMilliseconds(Setting("ROTATION_SOAK_EVERY_MS", 2000));
        var duration = TimeSpan.FromSeconds(seconds);
        var removeAfter = TimeSpan.FromMilliseconds(500);
        var rotations = Math.Max(1, (int)Math.Ceiling(duration / every) - 1);

        var certificates = await Task.WhenAll(Enumerable.Range(0, rotations + 1).Select(i => Task.Run(() => MadeCertificate.For($"CN=rotation-soak-{i}"))));
        var index = certificates.Select((c, i) => (c.X5tS256, i)).ToDictionary(p => p.X5tS256, p => p.i);
        var registeredFrom = new DateTimeOffset?[certificates.Length];
        var removedFrom = new DateTimeOffset?[certificates.Length];

        Publish(certificates[0], 0);
        await using var resource = await LocalResource.StartAsync(
            o =>
            {
                o.ClientId = ClientId;
                o.PrivateKeyPath = _folder.File("tls.key");
                o.CertificatePath = _folder.File("tls.crt");
                o.ExpirationMargin = TimeSpan.FromSeconds(1);
                o.RefreshRatio = 0.5;
                o.MaxRetries = 2;
                o.RetryDelay = TimeSpan.FromMilliseconds(50);
            },
            // expires_in 3 s: refreshed in the background after 1.5 s, unusable after 2 s, so each certificate signs requests.
            configureEntra: e => e.AccessTokenLifetime = TimeSpan.FromSeconds(4));
        var service = resource.Entra.Service;
        var clock = service.TimeProvider;
        registeredFrom[0] = clock.GetUtcNow();
        service.RegisterApplication(TestOptions.TenantId, ClientId, certificates[0].Certificate, LocalEntra.Resource);

        using var reloads = new MetricCollector<long>(CredentialTelemetry.CertificateReloads);

        int Switched() => (int)reloads.GetMeasurementSnapshot().Where(m => (string?)m.Tags["outcome"] == "switched").EvaluateAsCounter();

        var credential = resource.Services.GetRequiredService<CertificateClientCredential>();
        credential.Thumbprint.Should().Be(certificates[0].Thumbprint);
        using var stop = new CancellationTokenSource();
        var watch = Stopwatch.StartNew();
        var calling = CallingWorkers.Start(workers, () => resource.Client, stop.Token);

        var switchLatencies = new List<double>();
        var firstUseLatencies = new List<double>();
        for (var i = 1; i <= rotations; i++)
        {
            var due = every * i - watch.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due);
            }

            // The rollover: upload the new certificate, put it in the volume, remove the old one once the new one is used.
            registeredFrom[i] = clock.GetUtcNow();
            service.RegisterApplication(TestOptions.TenantId, ClientId, certificates[i].Certificate, LocalEntra.Resource);
            var swapped = Stopwatch.GetTimestamp();
            Publish(certificates[i], i);
            var next = certificates[i];
            var rotation = i;
            // The swap is visible just before the switch is logged and counted: wait for all three.
            await Eventually.TrueAsync(() => credential.Thumbprint.Equals(next.Thumbprint) && resource.Logs.WithId(1300).Count() == rotation && Switched() == rotation,
                $"rotation {i}: the ..data swap is seen");
            switchLatencies.Add(Stopwatch.GetElapsedTime(swapped).TotalMilliseconds);
            await Eventually.TrueAsync(() => service.Requests.Any(r => r.Assertion?.GetHeaderValue<string>("x5t#S256") == next.X5tS256),
                $"rotation {i}: a token request is signed with the new certificate");
            firstUseLatencies.Add(Stopwatch.GetElapsedTime(swapped).TotalMilliseconds);

            await Task.Delay(removeAfter);
            removedFrom[i - 1] = clock.GetUtcNow();
            service.RemoveCertificate(TestOptions.TenantId, ClientId, certificates[i - 1].Certificate).Should().BeTrue();
        }

        var rest = duration - watch.Elapsed;
        if (rest > TimeSpan.Zero)
        {
            await Task.Delay(rest);
        }

        await stop.CancelAsync();
        await calling.Completion.WaitAsync(TimeSpan.FromSeconds(60));
        var elapsed = watch.Elapsed;

        var requests = service.Requests.Where(r => r.Form.GetValueOrDefault("client_id") == ClientId).ToList();
        var signedWith = requests.Select(r => index.GetValueOrDefault(r.Assertion?.GetHeaderValue<string>("x5t#S256") ?? string.Empty, -1)).ToList();
        var all = calling.SortedLatencies();
        var p99 = all[(int)Math.Min(all.Count - 1, Math.Ceiling(all.Count * 0.99) - 1)];
        var counted = reloads.GetMeasurementSnapshot()
            .GroupBy(m => (Outcome: (string)m.Tags["outcome"]!, Trigger: (string)m.Tags["trigger"]!))
            .ToDictionary(g => g.Key, g => g.EvaluateAsCounter());

        var switched = Switched();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rotation soak: {elapsed.TotalSeconds:F1} s, {workers} workers, {rotations} rotations (every {every.TotalSeconds:F1} s, old certificate removed {removeAfter.TotalMilliseconds:F0} ms after the new one's first token request): " +
            $"{calling.Calls} calls, {calling.Failures.Count} failed, {resource.Api.Requests.Count(r => r.TokenExpired)} sent expired, {requests.Count} token requests ({requests.Count(r => r.StatusCode != 200)} refused), " +
            $"{signedWith.Distinct().Count()} certificates used; swap to switch max {switchLatencies.Max():F0} ms, swap to first token request with it max {firstUseLatencies.Max():F0} ms; p99 call {p99:F1} ms, max {all[^1]:F1} ms; " +
            $"reloads: {string.Join(", ", counted.OrderBy(c => c.Key).Select(c => $"{c.Key.Outcome}/{c.Key.Trigger} {c.Value}"))}"));

        calling.Failures.Should().BeEmpty();
        calling.Calls.Should().BeGreaterThan(workers * seconds, "the workers really ran");
        resource.Api.Requests.Should().OnlyContain(r => r.TokenValid && !r.TokenExpired);
        requests.Should().OnlyContain(r => r.StatusCode == 200, "no token request is refused: each is signed with a registered certificate");
        signedWith.Should().NotContain(-1).And.BeInAscendingOrder("once a newer certificate signed, no older one does");
        for (var k = 0; k < requests.Count; k++)
        {
            var used = signedWith[k];
            requests[k].ReceivedAt.Should().BeOnOrAfter(registeredFrom[used]!.Value, "signed with a certificate registered when the request arrived");
            if (removedFrom[used] is { } removed)
            {
                requests[k].ReceivedAt.Should().BeBefore(removed, "never with a certificate already removed");
            }
        }

        signedWith.Distinct().Should().HaveCount(rotations + 1, "every certificate signed token requests");
        switched.Should().Be(rotations, "each rotation is one switch in certcredentials.certificate.reloads");
        counted.Keys.Should().NotContain(k => k.Outcome == "failed");
        resource.Logs.WithId(1300).Should().HaveCount(rotations);
        resource.Logs.WithId(1301).Should().BeEmpty("no reload failed");
        resource.Logs.WithId(1304).Should().BeEmpty("Entra never refused a certificate");
        credential.CertificateReloadFailure.Should().BeNull();
        credential.Thumbprint.Should().Be(certificates[^1].Thumbprint);
    }
}
