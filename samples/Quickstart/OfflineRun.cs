using System.Diagnostics.Metrics;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertCredentials;
using CertCredentials.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Quickstart;

/// <summary>The offline run: everything on 127.0.0.1, nothing configured, exit code 0 when it all worked.</summary>
internal static class OfflineRun
{
    private const string TenantId = "72f988bf-0000-4000-8000-000000000001";
    private const string ClientId = "6f1c2b3a-0000-4000-8000-000000000002";
    private const string ApiResource = "api://quickstart-api";
    private const int Calls = 5;

    public static async Task<int> RunAsync(HostApplicationBuilder builder)
    {
        Console.WriteLine("CertCredentials Quickstart (offline: no tenant configured, everything runs on 127.0.0.1)");

        // 1. What a user has: a key pair and a certificate (here made now; usually from openssl or Key Vault).
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=CertCredentials Quickstart", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(1));
        var privateKeyPem = rsa.ExportPkcs8PrivateKeyPem();
        var certificatePem = certificate.ExportCertificatePem();
        Console.WriteLine($"  certificate    : {certificate.Subject}, x5t#S256 {CertificateThumbprint.Compute(certificate).Base64Url}");

        // 2. Stand-ins for Entra and for the API being called, each a real HTTP server on loopback.
        await using var entra = await LocalTokenService.StartAsync();
        entra.RegisterApplication(TenantId, ClientId, certificate, ApiResource);
        await using var api = await LocalProtectedApi.StartAsync(entra, TenantId, ApiResource);
        Console.WriteLine($"  token endpoint : {entra.GetTokenEndpoint(TenantId)}");
        Console.WriteLine($"  protected API  : {api.BaseAddress}");

        // 3. What goes in Program.cs.
        builder.Services.AddCertificateClientCredential(options =>
        {
            options.TenantId = TenantId;
            options.ClientId = ClientId;
            options.Scope = ApiResource + "/.default";
            options.PrivateKey = privateKeyPem;
            options.Certificate = certificatePem;
            options.TokenEndpoint = entra.GetTokenEndpoint(TenantId); // only for the local stand-in; Entra needs none
        });
        builder.Services.AddHttpClient("api", client => client.BaseAddress = api.BaseAddress)
            .AddCertificateClientCredentialHandler();

        var cacheHits = 0L;
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "CertCredentials" && instrument.Name == "certcredentials.cache.hits")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref cacheHits, value));
        meters.Start();

        using var host = builder.Build();
        await host.StartAsync(); // options and key are validated here, before any request

        // 4. What the application code does: use the HttpClient. The token is the library's business.
        var http = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("api");
        var ok = 0;
        for (var i = 1; i <= Calls; i++)
        {
            using var response = await http.GetAsync(new Uri("hello", UriKind.Relative));
            var body = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<HelloAnswer>() : null;
            Console.WriteLine($"  call {i}: HTTP {(int)response.StatusCode} {body?.Message} (appId {body?.AppId})");
            ok += response.IsSuccessStatusCode ? 1 : 0;
        }

        await host.StopAsync();
        meters.RecordObservableInstruments();

        Console.WriteLine();
        Console.WriteLine($"Summary: {ok}/{Calls} API calls succeeded; {entra.TokenRequestCount} token request sent; {Interlocked.Read(ref cacheHits)} token lookups answered from the cache.");
        var success = ok == Calls && entra.TokenRequestCount == 1;
        Console.WriteLine(success ? "Quickstart finished: OK" : "Quickstart finished: FAILED");
        return success ? 0 : 1;
    }

    private sealed record HelloAnswer(string? AppId, string? TenantId, string? Message);
}
