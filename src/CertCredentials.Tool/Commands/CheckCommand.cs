using System.CommandLine;
using CertCredentials.Tool.Cli;
using CertCredentials.Tool.Configuration;
using CertCredentials.Tool.Output;

namespace CertCredentials.Tool.Commands;

/// <summary>
/// <c>certcred check</c>: the configuration as the application reads it, validated, a token requested, and its
/// non-secret claims shown. Exit 0 only when a token came back.
/// </summary>
internal static class CheckCommand
{
    public static Command Create(ToolContext context, GlobalOptions global)
    {
        var configuration = new ConfigurationOptions();
        var command = new Command("check", "Read the configuration as the library's dependency injection does, validate it, request a token and show its claims (aud, tid, appid, roles, exp)");
        configuration.AddTo(command);
        CommandAction.Set(command, context, global, async (parseResult, cancellationToken) =>
        {
            var verbose = parseResult.GetValue(global.Verbose);
            await using var session = CredentialSession.Open(parseResult.GetValue(configuration.File), parseResult.GetRequiredValue(configuration.Section), context, verbose);
            var credential = session.Credential;
            var token = await credential.GetTokenAsync(cancellationToken).ConfigureAwait(false);

            var report = new Report();
            var section = report.AddSection("Credential", "credential")
                .Add("Configuration", "configuration", session.Source)
                .Add("Tenant", "tenantId", credential.TenantId)
                .Add("Client ID", "clientId", credential.ClientId)
                .Add("Scope", "scope", credential.Scope)
                .Add("Token endpoint", "tokenEndpoint", credential.TokenEndpoint.ToString())
                .Add(credential.Thumbprint.HeaderParameter, "thumbprint", credential.Thumbprint.Base64Url);
            if (credential.CertificateSubject is not null)
            {
                section.Add("Certificate", "certificateSubject", credential.CertificateSubject)
                    .Add("Certificate expires", "certificateExpiresOn", credential.CertificateExpiresOn);
            }

            var claims = TokenClaims.Read(token.Token);
            var tokenSection = report.AddSection("Token (claims; the token itself is not shown)", "token")
                .Add("Expires", "expiresOn", token.ExpiresOn);
            if (claims is null)
            {
                tokenSection.Add("Claims", "claims", "(not a JWT: the resource reads it)");
            }
            else
            {
                tokenSection.Add("aud", "aud", claims.Audience)
                    .Add("iss", "iss", claims.Issuer)
                    .Add("tid", "tid", claims.TenantId)
                    .Add("appid", "appid", claims.AppId)
                    .Add("roles", "roles", claims.Roles)
                    .Add("exp", "exp", claims.ExpiresOn);
            }

            report.AddNextStep(claims is { Roles.Count: 0 }
                ? "The token carries no roles: grant the app's application permissions (API permissions, then admin consent) before calling the API."
                : "The configuration works: the application gets the same token with it.");
            ReportWriter.Write(report, context, parseResult.GetValue(global.Json));
            return ExitCodes.Success;
        });
        return command;
    }
}
