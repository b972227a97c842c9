using CertCredentials.Testing;

namespace CertCredentials.Tests.Infrastructure;

/// <summary>
/// The local Entra-compatible token service on 127.0.0.1 with the rsa2048 fixture identity registered for Graph, and
/// credentials pointed at it. Disposes the credentials it made, then the service.
/// </summary>
internal sealed class LocalEntra : IAsyncDisposable
{
    public const string Resource = "https://graph.microsoft.com";
    private readonly List<IDisposable> _owned = [];

    private LocalEntra(LocalTokenService service, TimeProvider time)
    {
        Service = service;
        Time = time;
    }

    public LocalTokenService Service { get; }

    public TimeProvider Time { get; }

    public Uri TokenEndpoint => Service.GetTokenEndpoint(TestOptions.TenantId);

    public static async Task<LocalEntra> StartAsync(TimeProvider? time = null, Action<LocalTokenServiceOptions>? configure = null)
    {
        var options = new LocalTokenServiceOptions { TimeProvider = time ?? TimeProvider.System };
        configure?.Invoke(options);
        var service = await LocalTokenService.StartAsync(options);
        using var certificate = Fixture.Certificate("rsa2048.crt.pem");
        service.RegisterApplication(TestOptions.TenantId, TestOptions.ClientId, certificate, Resource);
        using var leaf = Fixture.Certificate("chain.leaf.crt.pem");
        service.RegisterApplication(TestOptions.TenantId, TestOptions.ClientId, leaf, Resource);
        using var big = Fixture.Certificate("rsa4096.crt.pem");
        service.RegisterApplication(TestOptions.TenantId, TestOptions.ClientId, big, Resource);
        return new LocalEntra(service, options.TimeProvider);
    }

    /// <summary>Options for the fixture identity against this service; retries without delay unless changed.</summary>
    public CertificateClientCredentialOptions Options(Action<CertificateClientCredentialOptions>? change = null) =>
        TestOptions.Rsa2048(o =>
        {
            o.TokenEndpoint = TokenEndpoint;
            o.RetryDelay = TimeSpan.Zero;
            o.MaxRetryDelay = TimeSpan.FromSeconds(5);
            change?.Invoke(o);
        });

    public CertificateClientCredential Credential(Action<CertificateClientCredentialOptions>? change = null, TimeProvider? time = null,
                                                  Microsoft.Extensions.Logging.ILogger? logger = null, HttpClient? httpClient = null)
    {
        var credential = new CertificateClientCredential(Options(change), httpClient, time ?? Time, logger);
        _owned.Add(credential);
        return credential;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }

        await Service.DisposeAsync();
    }
}
