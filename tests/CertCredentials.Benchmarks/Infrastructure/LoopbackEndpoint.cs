using System.Security.Cryptography.X509Certificates;
using CertCredentials.Testing;

namespace CertCredentials.Benchmarks.Infrastructure;

/// <summary>
/// The real Entra-compatible token service (CertCredentials.Testing) on https://127.0.0.1, with the
/// benchmark application registered in the benchmark tenant. It verifies every assertion, as Entra does.
/// </summary>
internal sealed class LoopbackEndpoint : IAsyncDisposable
{
    private LoopbackEndpoint(LocalTokenService service, X509Certificate2 httpsCertificate)
    {
        Service = service;
        HttpsCertificate = httpsCertificate;
    }

    public LocalTokenService Service { get; }

    public X509Certificate2 HttpsCertificate { get; }

    /// <summary>https://127.0.0.1:port/ : the authority host for all three clients.</summary>
    public Uri AuthorityHost => Service.BaseAddress;

    public int TokenRequestCount => Service.TokenRequestCount;

    public static async Task<LoopbackEndpoint> StartAsync(TimeSpan responseDelay, TimeSpan? refreshIn = null, params string[] tenants)
    {
        var https = Identities.CreateHttpsCertificate();
        var service = await LocalTokenService.StartAsync(new LocalTokenServiceOptions
        {
            ResponseDelay = responseDelay,
            RefreshIn = refreshIn,
            AccessTokenLifetime = TimeSpan.FromHours(1),
            HttpsCertificate = https,
            MaxRecordedRequests = 1_000,
        });
        foreach (var tenant in tenants.Length == 0 ? [Identities.Tenant] : tenants)
        {
            service.RegisterApplication(tenant, Identities.ClientId, Identities.Certificate, Identities.Resource);
        }

        return new LoopbackEndpoint(service, https);
    }

    public HttpClient CreateHttpClient() => Clients.ForLoopback(HttpsCertificate);

    public async ValueTask DisposeAsync()
    {
        await Service.DisposeAsync();
        HttpsCertificate.Dispose();
    }
}
