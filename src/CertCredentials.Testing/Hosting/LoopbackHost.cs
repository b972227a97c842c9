using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

namespace CertCredentials.Testing.Hosting;

/// <summary>Builds a quiet Kestrel application bound to 127.0.0.1 only.</summary>
internal static class LoopbackHost
{
    public static WebApplication Create(int port, X509Certificate2? httpsCertificate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(LoopbackHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, port, listen =>
            {
                if (httpsCertificate is not null)
                {
                    listen.UseHttps(httpsCertificate);
                }
            });
        });
        return builder.Build();
    }

    /// <summary>The address the started application listens on, e.g. <c>http://127.0.0.1:54321</c>.</summary>
    public static Uri GetBaseAddress(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
        return new Uri(addresses.Addresses.First());
    }

    /// <summary>Stops and disposes an application; one that never started, or whose stop timed out, is disposed all the same.</summary>
    public static async ValueTask StopAsync(WebApplication app)
    {
        try
        {
            await app.StopAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Not started, or a stop that timed out: nothing more to do.
        }

        await app.DisposeAsync().ConfigureAwait(false);
    }
}
