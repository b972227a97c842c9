using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CertCredentials.Tests.Infrastructure;

/// <summary>
/// Two real Kestrel servers on 127.0.0.1: a token endpoint that answers every request with a redirect (307 by
/// default) to the same path on a second host, and that second host, which counts its connections, records every
/// request body and would happily issue a token. Both are stopped on dispose.
/// </summary>
internal sealed class RedirectingEndpoint : IAsyncDisposable
{
    private readonly WebApplication _redirector;
    private readonly WebApplication _elsewhere;
    private readonly ConcurrentQueue<(string Method, string Body)> _elsewhereRequests = new();
    private int _elsewhereConnections;

    private RedirectingEndpoint(WebApplication redirector, WebApplication elsewhere)
    {
        _redirector = redirector;
        _elsewhere = elsewhere;
    }

    /// <summary>The status the redirecting endpoint answers with.</summary>
    public int RedirectStatus { get; set; } = StatusCodes.Status307TemporaryRedirect;

    public Uri TokenEndpoint { get; private set; } = null!;

    public Uri ElsewhereBase { get; private set; } = null!;

    /// <summary>Connections the second host accepted: zero when nothing at all was sent there.</summary>
    public int ElsewhereConnections => Volatile.Read(ref _elsewhereConnections);

    public IReadOnlyList<(string Method, string Body)> ElsewhereRequests => [.. _elsewhereRequests];

    public static async Task<RedirectingEndpoint> StartAsync()
    {
        RedirectingEndpoint? self = null;
        var elsewhere = Create(listen => listen.Use(next => connection =>
        {
            Interlocked.Increment(ref self!._elsewhereConnections);
            return next(connection);
        }));
        elsewhere.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            self!._elsewhereRequests.Enqueue((context.Request.Method, await reader.ReadToEndAsync()));
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"token_type\":\"Bearer\",\"expires_in\":3600,\"access_token\":\"issued-elsewhere\"}");
        });

        var redirector = Create(_ => { });
        redirector.Run(context =>
        {
            context.Response.StatusCode = self!.RedirectStatus;
            context.Response.Headers.Location = new Uri(self.ElsewhereBase, context.Request.Path.Value).AbsoluteUri;
            return Task.CompletedTask;
        });

        self = new RedirectingEndpoint(redirector, elsewhere);
        await elsewhere.StartAsync();
        await redirector.StartAsync();
        self.ElsewhereBase = Address(elsewhere);
        self.TokenEndpoint = new Uri(Address(redirector), $"/{TestOptions.TenantId}/oauth2/v2.0/token");
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await Stop(_redirector);
        await Stop(_elsewhere);
    }

    private static WebApplication Create(Action<Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions> configure)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, configure));
        return builder.Build();
    }

    private static Uri Address(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());

    private static async Task Stop(WebApplication app)
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await app.StopAsync(stopping.Token);
        }
        catch (OperationCanceledException)
        {
        }

        await app.DisposeAsync();
    }
}
