using System.CommandLine;
using System.Text.Json.Nodes;
using CertCredentials.Testing;
using CertCredentials.Tool.Cli;
using CertCredentials.Tool.Configuration;
using CertCredentials.Tool.Files;
using CertCredentials.Tool.Output;

namespace CertCredentials.Tool.Commands;

/// <summary>
/// <c>certcred emulate</c>: the local Entra-compatible token service and a protected API (CertCredentials.Testing) in
/// the foreground on 127.0.0.1, with one application and its certificate registered; prints the appsettings.json
/// that <c>check</c> and an application use against it, and runs until Ctrl+C or SIGTERM.
/// </summary>
internal static class EmulateCommand
{
    public const string DefaultTenant = "contoso.onmicrosoft.com";
    public const string DefaultClientId = "11111111-2222-3333-4444-555555555555";
    public const string DefaultResource = "https://graph.microsoft.com";

    /// <summary>The line printed once both servers listen: scripts and tests wait for it.</summary>
    public const string ReadyLine = "Press Ctrl+C to stop.";

    public static Command Create(ToolContext context, GlobalOptions global)
    {
        var port = new Option<int>("--port") { Description = "The token service's port on 127.0.0.1 (0: a free one)", DefaultValueFactory = _ => 5080 };
        port.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > 65535)
            {
                r.AddError("--port must be between 0 and 65535.");
            }
        });
        var apiPort = new Option<int>("--api-port") { Description = "The protected API's port on 127.0.0.1 (default 0: a free one)" };
        var certificate = new Option<string>("--certificate") { Description = "The application's certificate (PEM, DER, bundle or .pfx; the public part is enough)", DefaultValueFactory = _ => NewCommand.CertificateFileName, HelpName = "FILE" };
        var key = new Option<string?>("--key") { Description = $"The key file to name in the printed configuration (default: {NewCommand.KeyFileName} beside the certificate, if there is one)", HelpName = "FILE" };
        var tenant = new Option<string>("--tenant") { Description = "The tenant to register the application in", DefaultValueFactory = _ => DefaultTenant };
        var clientId = new Option<string>("--client-id") { Description = "The application (client) ID to register", DefaultValueFactory = _ => DefaultClientId };
        var resources = new Option<string[]>("--resource") { Description = $"A resource the application may get tokens for (repeatable; default {DefaultResource})", Arity = ArgumentArity.OneOrMore };
        var roles = new Option<string[]>("--role") { Description = "An application permission the tokens carry in their roles claim (repeatable), as admin consent grants it", Arity = ArgumentArity.OneOrMore, HelpName = "ROLE" };
        var appSettingsFile = new Option<string?>("--write-appsettings") { Description = "Also write the printed appsettings.json to this file, once the servers listen (for scripts)", HelpName = "FILE" };
        var passphrase = new PassphraseOptions(forNewKey: false);

        var command = new Command("emulate", "Run a local Entra-compatible token service and protected API on 127.0.0.1 with the certificate registered, until Ctrl+C or SIGTERM");
        command.Options.Add(port);
        command.Options.Add(apiPort);
        command.Options.Add(certificate);
        command.Options.Add(key);
        command.Options.Add(tenant);
        command.Options.Add(clientId);
        command.Options.Add(resources);
        command.Options.Add(roles);
        command.Options.Add(appSettingsFile);
        passphrase.AddTo(command);
        CommandAction.Set(command, context, global, async (parseResult, cancellationToken) =>
        {
            var certificatePath = context.FullPath(parseResult.GetRequiredValue(certificate));
            var registered = parseResult.GetValue(resources) is { Length: > 0 } given ? given : [DefaultResource];
            var tenantId = parseResult.GetRequiredValue(tenant);
            var application = parseResult.GetRequiredValue(clientId);
            var keyPath = parseResult.GetValue(key) is { } k ? context.FullPath(k) : DefaultKeyPath(certificatePath);

            using var contents = KeyFile.Read(certificatePath, passphrase.Resolve(parseResult, context));
            var leaf = contents.Leaf ?? (contents.Certificates.Count == 1 ? contents.Certificates[0]
                : throw new ToolFailure(ExitCodes.Key, contents.Certificates.Count == 0
                    ? $"The file '{certificatePath}' holds no certificate. Give the application's certificate with --certificate (certcred new makes one)."
                    : $"The file '{certificatePath}' holds {contents.Certificates.Count} certificates and no key to pick one by. Give the application's certificate alone."));

            using var stop = new StopSignal(cancellationToken);
            await using var service = await Start(() => LocalTokenService.StartAsync(new LocalTokenServiceOptions { Port = parseResult.GetValue(port) }, cancellationToken), parseResult.GetValue(port)).ConfigureAwait(false);
            service.RegisterApplication(tenantId, application, leaf, registered);
            var granted = parseResult.GetValue(roles) ?? [];
            if (granted.Length > 0)
            {
                service.ConfigureAccessTokens(tenantId, application, new AccessTokenSettings { Roles = granted });
            }
            await using var api = await Start(() => LocalProtectedApi.StartAsync(service, tenantId, registered[0], new LocalProtectedApiOptions { Port = parseResult.GetValue(apiPort) }), parseResult.GetValue(apiPort)).ConfigureAwait(false);

            var report = CreateReport(service, api, tenantId, application, registered, granted, leaf, certificatePath, keyPath);
            if (parseResult.GetValue(appSettingsFile) is { } settingsFile)
            {
                var settingsPath = context.FullPath(settingsFile);
                OutputFiles.Write(settingsPath, System.Text.Encoding.UTF8.GetBytes(report.AppSettings!.ToJsonString(ReportWriter.JsonOptions) + "\n"), OutputFiles.Public, force: true);
            }

            ReportWriter.Write(report, context, parseResult.GetValue(global.Json));
            if (!parseResult.GetValue(global.Json))
            {
                await context.Output.WriteLineAsync(ReadyLine).ConfigureAwait(false);
                await context.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }

            await stop.Stopped.ConfigureAwait(false);
            if (!parseResult.GetValue(global.Json))
            {
                await context.Output.WriteLineAsync($"Stopped after {service.TokenRequestCount} token request{(service.TokenRequestCount == 1 ? string.Empty : "s")}.").ConfigureAwait(false);
                await context.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        }, CommandAction.PassphraseHint);
        return command;
    }

    private static string? DefaultKeyPath(string certificatePath)
    {
        var besides = Path.Combine(Path.GetDirectoryName(certificatePath)!, NewCommand.KeyFileName);
        return File.Exists(besides) ? besides : null;
    }

    private static async Task<T> Start<T>(Func<Task<T>> start, int port)
    {
        try
        {
            return await start().ConfigureAwait(false);
        }
        catch (IOException e)
        {
            // Kestrel's "Failed to bind to address ...: address already in use", or a port the system refuses.
            throw new ToolFailure(ExitCodes.Listen, $"Cannot listen on 127.0.0.1:{port} ({e.Message}). Give another --port, or 0 for a free one.", e);
        }
    }

    private static Report CreateReport(LocalTokenService service, LocalProtectedApi api, string tenantId, string clientId, string[] resources, string[] roles,
                                       System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, string certificatePath, string? keyPath)
    {
        var tokenEndpoint = service.GetTokenEndpoint(tenantId).ToString();
        var report = new Report();
        report.AddSection("Local Entra-compatible token service (127.0.0.1 only)", "emulator")
            .Add("Token endpoint", "tokenEndpoint", tokenEndpoint)
            .Add("Issuer", "issuer", service.GetIssuer(tenantId))
            .Add("Tenant", "tenantId", tenantId)
            .Add("Client ID", "clientId", clientId)
            .Add("Certificate", "certificate", certificate.Subject)
            .Add("x5t#S256", "x5tS256", CertificateThumbprint.Compute(certificate).Base64Url)
            .Add("Resources", "resources", resources)
            .Add("Roles", "roles", roles)
            .Add("Protected API", "protectedApi", new Uri(api.BaseAddress, "hello").ToString());

        var settings = new JsonObject
        {
            ["TenantId"] = tenantId,
            ["ClientId"] = clientId,
            ["Scope"] = resources[0].TrimEnd('/') + "/.default",
            ["TokenEndpoint"] = tokenEndpoint,
        };
        if (keyPath is not null)
        {
            settings["PrivateKeyPath"] = keyPath;
        }

        settings["CertificatePath"] = certificatePath;
        report.AppSettings = new JsonObject { [ConfigurationOptions.DefaultSection] = settings };
        report.AddNextStep(keyPath is null
            ? "Add PrivateKeyPath (the key of the certificate) to the appsettings.json above, then run: certcred check --config <that file>"
            : "Save the appsettings.json above, then run: certcred check --config <that file>");
        report.AddNextStep("A passphrase-protected key also needs CertCredentials__PrivateKeyPassphrase in the environment.");
        report.AddNextStep($"Call the protected API with the token: curl -H \"Authorization: Bearer $(certcred token --config <that file>)\" {new Uri(api.BaseAddress, "hello")}");
        return report;
    }
}
