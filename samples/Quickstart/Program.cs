// The Quickstart: `dotnet run --project samples/Quickstart`.
// With no tenant configured it runs offline: it makes a certificate, starts a local Entra-compatible token service
// and a protected API on 127.0.0.1, registers CertCredentials exactly as an application would, and calls the API.
// With CertCredentials:TenantId (and the rest) set in appsettings.json or the environment, it calls Microsoft Graph.
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quickstart;

// appsettings.json sits beside the program, wherever it is run from.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
var section = builder.Configuration.GetSection("CertCredentials");

return string.IsNullOrWhiteSpace(section["TenantId"])
    ? await OfflineRun.RunAsync(builder)
    : await GraphRun.RunAsync(builder, section);
