using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Quickstart;

/// <summary>The real run: a configured tenant, Microsoft Graph's GET /v1.0/organization.</summary>
internal static class GraphRun
{
    public static async Task<int> RunAsync(HostApplicationBuilder builder, IConfigurationSection section)
    {
        Console.WriteLine($"CertCredentials Quickstart: calling Microsoft Graph for tenant {section["TenantId"]}");
        builder.Services.AddCertificateClientCredential(section);
        builder.Services.AddHttpClient("graph", client => client.BaseAddress = new Uri("https://graph.microsoft.com/v1.0/"))
            .AddCertificateClientCredentialHandler();

        using var host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException e)
        {
            Console.Error.WriteLine("The CertCredentials configuration is not usable:");
            foreach (var failure in e.Failures)
            {
                Console.Error.WriteLine("  - " + failure);
            }

            return 2;
        }

        var graph = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("graph");
        try
        {
            using var response = await graph.GetAsync(new Uri("organization", UriKind.Relative));
            var body = await response.Content.ReadAsStringAsync();
            Console.WriteLine($"GET /v1.0/organization: HTTP {(int)response.StatusCode}");
            if (!response.IsSuccessStatusCode)
            {
                Console.WriteLine(body);
                Console.WriteLine("A 403 means the token is valid but the app lacks a Graph application permission such as Organization.Read.All (with admin consent).");
                return 1;
            }

            using var json = JsonDocument.Parse(body);
            foreach (var organization in json.RootElement.GetProperty("value").EnumerateArray())
            {
                Console.WriteLine($"  {organization.GetProperty("displayName").GetString()} ({organization.GetProperty("id").GetString()})");
            }

            return 0;
        }
        catch (CertCredentials.CertificateCredentialException e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
