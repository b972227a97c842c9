using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CertCredentials;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

// One instance of a fleet, as a pod is: its own process, Redis connection, credential and in-process cache.
// Arguments: <redis configuration> <authority> <client id> <key.pem> <cert.pem> <scope> <tenant>...
// It prints "ready" once its Redis connection is up, waits for a line "go" on stdin (so that every instance is
// released at once), asks for every tenant's token concurrently, prints "token <tenant> <tid> <sha256 prefix>" per
// tenant (a digest of the token, never the token) and exits 0; any failure prints "failed <type>" and exits 1.
if (args.Length < 7)
{
    Console.Error.WriteLine("usage: <redis> <authority> <client-id> <key.pem> <cert.pem> <scope> <tenant>...");
    return 2;
}

try
{
    await using var redis = await ConnectionMultiplexer.ConnectAsync(args[0]);
    var services = new ServiceCollection();
    services.AddCertificateClientCredential(o =>
    {
        o.AuthorityHost = new Uri(args[1]);
        o.ClientId = args[2];
        o.PrivateKeyPath = args[3];
        o.CertificatePath = args[4];
        o.Scope = args[5];
        o.TenantId = args[6];
        o.CertificateReloadInterval = TimeSpan.Zero;
    });
    services.AddCertificateClientCredentialRedisCache(o =>
    {
        o.ConnectionMultiplexer = redis;

        // 8 processes, the token service and redis-server share 2 cores in the test: the bound is for a dead Redis,
        // not for CPU starvation, so it is generous here (the fault tests use the default).
        o.OperationTimeout = TimeSpan.FromSeconds(5);
    });
    await using var provider = services.BuildServiceProvider();
    var credential = provider.GetRequiredService<CertificateClientCredential>();
    await redis.GetSubscriber().PingAsync();

    Console.WriteLine("ready");
    if (Console.ReadLine() != "go")
    {
        return 3;
    }

    var tenants = args[6..];
    var tokens = await Task.WhenAll(tenants.Select(t => Task.Run(() => credential.GetTokenAsync(t, args[5]).AsTask())));
    for (var i = 0; i < tenants.Length; i++)
    {
        Console.WriteLine($"token {tenants[i]} {TenantOf(tokens[i].Token)} {Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(tokens[i].Token)))[..16]}");
    }

    return 0;
}
catch (Exception e)
{
    Console.WriteLine($"failed {e.GetType().Name}");
    return 1;
}

static string TenantOf(string jwt)
{
    var payload = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
    payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
    using var json = JsonDocument.Parse(Convert.FromBase64String(payload));
    return json.RootElement.GetProperty("tid").GetString() ?? "?";
}
