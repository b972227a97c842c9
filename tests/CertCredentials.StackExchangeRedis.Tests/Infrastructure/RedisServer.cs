using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace CertCredentials.StackExchangeRedis.Tests.Infrastructure;

/// <summary>
/// A real redis-server on 127.0.0.1 and a free port, no persistence, started by a test and stopped by it (Dispose
/// kills it). Kill and Restart keep the port, as a Redis restarted by its supervisor does.
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private const string InstallHint = "redis-server is needed for these tests: install it with `apt-get update && apt-get install -y redis-server` (.ci/run does this on a fresh machine).";
    private Process? _process;
    private ConnectionMultiplexer? _admin;

    private RedisServer(int port)
    {
        Port = port;
    }

    public int Port { get; }

    /// <summary>The StackExchange.Redis configuration string of this server.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts a server on a free port; fails (never skips) with how to install redis-server when it cannot start.</summary>
    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer(FreePort());
        await server.StartProcessAsync();
        return server;
    }

    /// <summary>A port of 127.0.0.1 that nothing listens on now (for "Redis down at start").</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A server object for a port nothing listens on yet; <see cref="StartProcessAsync"/> starts it later.</summary>
    public static RedisServer NotStarted() => new(FreePort());

    public async Task StartProcessAsync()
    {
        var info = new ProcessStartInfo(FindRedisServer())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning", "--enable-debug-command", "local" })
        {
            info.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException(InstallHint);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(InstallHint, e);
        }

        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        // Ready when it answers PING; bounded.
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited at start with code {process.ExitCode} (port {Port}). " + InstallHint);
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new InvalidOperationException($"redis-server did not listen on port {Port} within 5 seconds. " + InstallHint);
    }

    /// <summary>Kills the server (SIGKILL): connections drop, everything it held is lost.</summary>
    public async Task KillAsync()
    {
        if (_admin is not null)
        {
            await _admin.DisposeAsync();
            _admin = null;
        }

        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>An administrative connection (CONFIG, KEYS, DEBUG), separate from the ones under test.</summary>
    public async Task<IDatabase> AdminAsync()
    {
        _admin ??= await ConnectionMultiplexer.ConnectAsync($"{Configuration},allowAdmin=true,abortConnect=false,asyncTimeout=30000,syncTimeout=30000");
        return _admin.GetDatabase();
    }

    public async Task<RedisResult> ExecuteAsync(string command, params object[] arguments) =>
        await (await AdminAsync()).ExecuteAsync(command, arguments);

    /// <summary>Every key and its bytes (entries, leases).</summary>
    public async Task<IReadOnlyList<(string Key, byte[] Value)>> ReadAllAsync()
    {
        var database = await AdminAsync();
        var keys = (RedisResult[])(await database.ExecuteAsync("KEYS", "*"))!;
        var all = new List<(string, byte[])>();
        foreach (var key in keys)
        {
            var value = await database.StringGetAsync((string)key!);
            all.Add(((string)key!, value.IsNull ? [] : (byte[])value!));
        }

        return all;
    }

    public async ValueTask DisposeAsync() => await KillAsync();

    private static string FindRedisServer()
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Append("/usr/bin").Append("/usr/local/bin"))
        {
            var candidate = Path.Combine(folder, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("redis-server is not on PATH. " + InstallHint);
    }
}
