using CertCredentials.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CertCredentials.StackExchangeRedis.Tests.Infrastructure;

/// <summary>
/// A fleet of instances of one app: each instance its own service provider (its own Redis connection, credential and
/// in-process cache), as separate pods are, against one local token service with the app registered in every tenant.
/// </summary>
internal sealed class Fleet : IAsyncDisposable
{
    public const string Resource = "https://graph.microsoft.com";
    public const string Scope = Resource + "/.default";
    private readonly List<ServiceProvider> _instances = [];

    private Fleet(LocalTokenService service, AppIdentity app, IReadOnlyList<string> tenants)
    {
        Service = service;
        App = app;
        Tenants = tenants;
    }

    public LocalTokenService Service { get; }

    public AppIdentity App { get; }

    public IReadOnlyList<string> Tenants { get; }

    public LogCapture Logs { get; } = new();

    public static async Task<Fleet> StartAsync(int tenants, Action<LocalTokenServiceOptions>? configure = null, AppIdentity? app = null)
    {
        var options = new LocalTokenServiceOptions { MaxRecordedRequests = 100_000 };
        configure?.Invoke(options);
        var service = await LocalTokenService.StartAsync(options);
        app ??= AppIdentity.Create();
        var names = Enumerable.Range(0, tenants).Select(i => $"{i:x8}-0000-4000-8000-{i:x12}").ToList();
        foreach (var tenant in names)
        {
            service.RegisterApplication(tenant, app.ClientId, app.Certificate, Resource);
        }

        return new Fleet(service, app, names);
    }

    /// <summary>Registers another app (or another certificate of this one) in every tenant.</summary>
    public void Register(AppIdentity app)
    {
        foreach (var tenant in Tenants)
        {
            Service.RegisterApplication(tenant, app.ClientId, app.Certificate, Resource);
        }
    }

    /// <summary>A new instance: its credential for the first tenant (others through GetTokenAsync(tenant, scope)), sharing through <paramref name="redis"/> when given.</summary>
    /// <remarks>
    /// Its Redis connection and subscription are made before it is handed out, as a started host's are by the time
    /// traffic comes: at load averages of 40 a first connection can outlast the bound, and the instance then (rightly)
    /// goes without Redis, which is not what the tests of sharing are about. The fault tests use <see cref="InstanceProvider"/>.
    /// </remarks>
    public CertificateClientCredential Instance(string? redis, Action<CertificateClientCredentialOptions>? change = null, AppIdentity? app = null,
                                                Action<RedisTokenCacheOptions>? redisOptions = null)
    {
        var provider = InstanceProvider(redis, change, app, redisOptions);
        if (redis is not null)
        {
            Task.Run(() => SharedCache.ColdFleetTests.WarmUpAsync([provider])).GetAwaiter().GetResult();
        }

        return provider.GetRequiredService<CertificateClientCredential>();
    }

    public ServiceProvider InstanceProvider(string? redis, Action<CertificateClientCredentialOptions>? change = null, AppIdentity? app = null,
                                            Action<RedisTokenCacheOptions>? redisOptions = null, Action<IServiceCollection>? configureServices = null)
    {
        var identity = app ?? App;
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        services.AddCertificateClientCredential(o =>
        {
            o.TenantId = Tenants[0];
            o.ClientId = identity.ClientId;
            o.Scope = Scope;
            o.PrivateKey = identity.KeyPem;
            o.Certificate = identity.CertificatePem;
            o.AuthorityHost = Service.BaseAddress;
            o.RetryDelay = TimeSpan.FromMilliseconds(10);
            o.MaxRetryDelay = TimeSpan.FromMilliseconds(100);
            change?.Invoke(o);
        });
        if (redis is not null)
        {
            services.AddCertificateClientCredentialRedisCache(o =>
            {
                o.Configuration = redis;

                // The tests of coordination run 800 callers, the token service and 8 instances on 2 shared cores (load
                // averages of 30 seen): a 250 ms bound then fires on CPU starvation, not on Redis, and each instance
                // falls back to requesting directly, as designed. Those tests are about the protocol, so they allow
                // Redis 5 s; the tests of a slow or dead Redis set the default bound back.
                o.OperationTimeout = TimeSpan.FromSeconds(5);
                redisOptions?.Invoke(o);
            });
        }

        configureServices?.Invoke(services);
        var provider = services.BuildServiceProvider();
        lock (_instances)
        {
            _instances.Add(provider);
        }

        return provider;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        await Service.DisposeAsync();
        App.Dispose();
        Logs.Dispose();
    }
}
