using CertCredentials.Testing;

namespace CertCredentials.Azure.Tests.Infrastructure;

/// <summary>
/// The local token service with the test application registered in two tenants for Graph and Key Vault, and
/// credentials pointed at it (through <c>AuthorityHost</c>, so other tenants resolve too). Disposes what it made.
/// </summary>
internal sealed class LocalEntra : IAsyncDisposable
{
    public const string OtherTenant = "fabfabfa-3333-4333-8333-fabfabfabfab";
    private readonly List<IDisposable> _owned = [];

    private LocalEntra(LocalTokenService service) => Service = service;

    public LocalTokenService Service { get; }

    public static async Task<LocalEntra> StartAsync(Action<LocalTokenServiceOptions>? configure = null)
    {
        var options = new LocalTokenServiceOptions();
        configure?.Invoke(options);
        var service = await LocalTokenService.StartAsync(options);
        foreach (var tenant in new[] { TestIdentity.TenantId, OtherTenant })
        {
            service.RegisterApplication(tenant, TestIdentity.ClientId, TestIdentity.Certificate, TestIdentity.Graph, LocalKeyVault.DefaultResource);
        }

        return new LocalEntra(service);
    }

    public void Configure(CertificateClientCredentialOptions o)
    {
        o.TenantId = TestIdentity.TenantId;
        o.ClientId = TestIdentity.ClientId;
        o.Scope = TestIdentity.GraphScope;
        o.AuthorityHost = Service.BaseAddress;
        o.PrivateKey = TestIdentity.PrivateKeyPem(TestIdentity.Certificate);
        o.Certificate = TestIdentity.Certificate.ExportCertificatePem();
        o.RetryDelay = TimeSpan.Zero;
    }

    public CertificateClientCredential Credential(Action<CertificateClientCredentialOptions>? change = null)
    {
        var options = new CertificateClientCredentialOptions();
        Configure(options);
        change?.Invoke(options);
        var credential = new CertificateClientCredential(options);
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
