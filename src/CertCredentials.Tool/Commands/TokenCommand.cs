using System.CommandLine;
using System.Text.Json.Nodes;
using CertCredentials.Tool.Cli;
using CertCredentials.Tool.Configuration;
using CertCredentials.Tool.Output;

namespace CertCredentials.Tool.Commands;

/// <summary>
/// <c>certcred token</c>: an access token alone on stdout, for <c>curl -H "Authorization: Bearer $(certcred token)"</c>.
/// The one place the tool prints a secret, because it was asked to.
/// </summary>
internal static class TokenCommand
{
    public static Command Create(ToolContext context, GlobalOptions global)
    {
        var configuration = new ConfigurationOptions();
        var tenant = new Option<string?>("--tenant") { Description = "Another tenant of the same app (multi-tenant apps); default: the configured TenantId", HelpName = "TENANT" };
        var scope = new Option<string?>("--scope") { Description = "Another scope, ending in /.default; default: the configured Scope", HelpName = "SCOPE" };
        var command = new Command("token", "Print an access token alone on stdout (configured as for check)");
        configuration.AddTo(command);
        command.Options.Add(tenant);
        command.Options.Add(scope);
        CommandAction.Set(command, context, global, async (parseResult, cancellationToken) =>
        {
            await using var session = CredentialSession.Open(parseResult.GetValue(configuration.File), parseResult.GetRequiredValue(configuration.Section), context,
                                                             parseResult.GetValue(global.Verbose));
            var credential = session.Credential;
            var askedTenant = parseResult.GetValue(tenant);
            var askedScope = parseResult.GetValue(scope);
            var token = askedTenant is null && askedScope is null
                ? await credential.GetTokenAsync(cancellationToken).ConfigureAwait(false)
                : await credential.GetTokenAsync(askedTenant ?? credential.TenantId, askedScope ?? credential.Scope, cancellationToken).ConfigureAwait(false);
            if (parseResult.GetValue(global.Json))
            {
                var json = new JsonObject
                {
                    ["accessToken"] = token.Token,
                    ["tokenType"] = token.TokenType,
                    ["expiresOn"] = ReportWriter.JsonTime(token.ExpiresOn),
                };
                await context.Output.WriteLineAsync(json.ToJsonString(ReportWriter.JsonOptions)).ConfigureAwait(false);
            }
            else
            {
                await context.Output.WriteLineAsync(token.Token).ConfigureAwait(false);
            }

            await context.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }
}
