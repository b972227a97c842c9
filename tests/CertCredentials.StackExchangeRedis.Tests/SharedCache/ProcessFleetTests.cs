using System.Diagnostics;
using System.Reflection;
using CertCredentials.StackExchangeRedis.Tests.Infrastructure;

namespace CertCredentials.StackExchangeRedis.Tests.SharedCache;

/// <summary>
/// The cold fleet once as separate processes, as pods are: 8 instance processes (tests/…FleetInstance) x 100 tenants
/// against one real redis-server and one local token service, every process released at once. The fleet sends one
/// token request per tenant, and every process holds the same token of each tenant.
/// </summary>
public sealed class ProcessFleetTests : IAsyncLifetime, IDisposable
{
    private const int Instances = 8;
    private const int TenantCount = 100;
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);
    private readonly string _folder = Directory.CreateTempSubdirectory("certcred-fleet-").FullName;
    private readonly List<Process> _processes = [];
    private RedisServer _redis = null!;

    private static string InstanceAssembly { get; } =
        typeof(ProcessFleetTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "FleetInstanceAssembly").Value!;

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }

        await _redis.DisposeAsync();
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Eight_instance_processes_send_one_token_request_per_tenant_through_redis()
    {
        File.Exists(InstanceAssembly).Should().BeTrue($"the fleet instance is built next to the tests ({InstanceAssembly})");
        await using var fleet = await Fleet.StartAsync(TenantCount);
        var key = Path.Combine(_folder, "key.pem");
        var certificate = Path.Combine(_folder, "cert.pem");
        File.WriteAllText(key, fleet.App.KeyPem);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.WriteAllText(certificate, fleet.App.CertificatePem);

        for (var i = 0; i < Instances; i++)
        {
            _processes.Add(Start([_redis.Configuration, fleet.Service.BaseAddress.AbsoluteUri, fleet.App.ClientId, key, certificate, Fleet.Scope, .. fleet.Tenants]));
        }

        using var timeout = new CancellationTokenSource(Limit);
        foreach (var process in _processes)
        {
            (await process.StandardOutput.ReadLineAsync(timeout.Token)).Should().Be("ready", "each instance connects to Redis before traffic comes");
        }

        fleet.Service.TokenRequestCount.Should().Be(0, "nothing is requested before the release");
        foreach (var process in _processes)
        {
            await process.StandardInput.WriteLineAsync("go");
            await process.StandardInput.FlushAsync(timeout.Token);
        }

        var outputs = await Task.WhenAll(_processes.Select(async p =>
        {
            var output = await p.StandardOutput.ReadToEndAsync(timeout.Token);
            await p.WaitForExitAsync(timeout.Token);
            p.ExitCode.Should().Be(0, output + await p.StandardError.ReadToEndAsync(timeout.Token));
            return output;
        }));

        var lines = outputs.SelectMany(o => o.Split('\n', StringSplitOptions.RemoveEmptyEntries)).Select(l => l.Split(' ')).ToList();
        lines.Should().HaveCount(Instances * TenantCount).And.OnlyContain(l => l.Length == 4 && l[0] == "token");
        lines.Should().OnlyContain(l => l[1] == l[2], "each caller got its own tenant's token");
        foreach (var tenant in lines.GroupBy(l => l[1]))
        {
            tenant.Select(l => l[3]).Distinct().Should().ContainSingle("the {0} processes share tenant {1}'s token", Instances, tenant.Key);
        }

        fleet.Service.TokenRequestCount.Should().Be(TenantCount, "one token request per tenant for the whole fleet of processes");
    }

    private static Process Start(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(InstanceAssembly);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info)!;
    }
}
