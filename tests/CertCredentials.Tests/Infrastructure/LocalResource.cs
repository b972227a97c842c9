using CertCredentials.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CertCredentials.Tests.Infrastructure;

/// <summary>
/// The token service plus a protected API (validating signature, issuer, audience and lifetime), and a service
/// provider wired as an application would: AddCertificateClientCredential + an authorized HttpClient named "api".
/// </summary>
internal sealed class LocalResource : IAsyncDisposable
{
    private LocalResource(LocalEntra entra, LocalProtectedApi api, ServiceProvider services, LogCapture logs)
    {
        Entra = entra;
        Api = api;
        Services = services;
        Logs = logs;
    }

    public LocalEntra Entra { get; }

    public LocalProtectedApi Api { get; }

    public ServiceProvider Services { get; }

    public LogCapture Logs { get; }

    public HttpClient Client => Services.GetRequiredService<IHttpClientFactory>().CreateClient("api");

    public static async Task<LocalResource> StartAsync(Action<CertificateClientCredentialOptions>? change = null, Action<IServiceCollection>? services = null,
                                                       Action<LocalTokenServiceOptions>? configureEntra = null)
    {
        var entra = await LocalEntra.StartAsync(configure: configureEntra);
        var api = await LocalProtectedApi.StartAsync(entra.Service, TestOptions.TenantId, LocalEntra.Resource);
        var logs = new LogCapture();
        var collection = new ServiceCollection();
        collection.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        var options = entra.Options(change);
        collection.AddCertificateClientCredential(o => Copy(options, o));
        collection.AddHttpClient("api", c => c.BaseAddress = api.BaseAddress).AddCertificateClientCredentialHandler();
        services?.Invoke(collection);
        var provider = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        return new LocalResource(entra, api, provider, logs);
    }

    public static void Copy(CertificateClientCredentialOptions from, CertificateClientCredentialOptions to)
    {
        foreach (var property in typeof(CertificateClientCredentialOptions).GetProperties().Where(p => p.CanWrite))
        {
            property.SetValue(to, property.GetValue(from));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Api.DisposeAsync();
        await Entra.DisposeAsync();
    }
}
