using System.Text;

namespace CertCredentials.Configuration;

/// <summary>
/// Checks the options before any request and reports every problem at once, each with its fix. Checks only what can
/// be told without reading the key; <see cref="Keys.KeyMaterialLoader"/> checks the key.
/// </summary>
internal static class CredentialOptionsValidator
{
    private static readonly string[] MultiTenantAliases = ["common", "organizations", "consumers"];

    public static IReadOnlyList<string> Validate(CertificateClientCredentialOptions options)
    {
        var problems = new List<string>();
        var tenant = TokenEndpointAddress.EffectiveTenant(options);
        var clientId = TokenEndpointAddress.WithoutBraces(options.ClientId?.Trim() ?? string.Empty);
        var scope = options.Scope?.Trim() ?? string.Empty;

        if (options.TokenEndpoint is null)
        {
            if (tenant.Length == 0)
            {
                problems.Add("TenantId is empty. Set it to the directory (tenant) ID from the Azure portal (Microsoft Entra ID, Overview): a GUID, or a verified domain such as contoso.onmicrosoft.com.");
            }
            else if (MultiTenantAliases.Contains(tenant, StringComparer.OrdinalIgnoreCase))
            {
                problems.Add($"TenantId is '{tenant}', which Entra refuses for the client credentials flow (AADSTS9001023): an application token is always issued by one tenant. Set TenantId to the GUID or domain of the tenant whose resources you call.");
            }
            else if (!Guid.TryParse(tenant, out _) && !tenant.Contains('.', StringComparison.Ordinal))
            {
                problems.Add($"TenantId {OptionText.Quote(tenant, OptionKind.Tenant)} is neither a GUID nor a domain name. Use the directory (tenant) ID GUID from the Azure portal, or a verified domain such as contoso.onmicrosoft.com.");
            }

            if (options.AuthorityHost is null)
            {
                problems.Add("AuthorityHost is not set. Leave it at its default (the public cloud), or use one of AuthorityHosts.");
            }
            else if (!options.AuthorityHost.IsAbsoluteUri)
            {
                problems.Add("AuthorityHost must be an absolute URL such as https://login.microsoftonline.com.");
            }
            else
            {
                if (options.AuthorityHost.AbsolutePath.Trim('/').Length > 0)
                {
                    problems.Add($"AuthorityHost {OptionText.Quote(options.AuthorityHost)} has a path; it is the host only (https://login.microsoftonline.com). Put the tenant in TenantId, or give the whole URL in TokenEndpoint.");
                }

                CheckTransport(options.AuthorityHost, "AuthorityHost", problems);
            }
        }
        else
        {
            if (!options.TokenEndpoint.IsAbsoluteUri)
            {
                problems.Add("TokenEndpoint must be an absolute URL such as https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token.");
            }
            else
            {
                CheckTransport(options.TokenEndpoint, "TokenEndpoint", problems);
            }
        }

        if (clientId.Length == 0)
        {
            problems.Add("ClientId is empty. Set it to the application (client) ID of the app registration (App registrations, your app, Overview): a GUID.");
        }
        else if (options.TokenEndpoint is null && !Guid.TryParse(clientId, out _))
        {
            problems.Add($"ClientId {OptionText.Quote(clientId, OptionKind.ClientId)} is not a GUID. Entra application (client) IDs are GUIDs: copy it from App registrations, your app, Overview (not the app's name or object ID).");
        }
        else if (!OptionText.CanEcho(clientId, OptionKind.ClientId))
        {
            // With a TokenEndpoint of another service the ID need not be a GUID, but it is still an ID.
            problems.Add($"ClientId {OptionText.Quote(clientId, OptionKind.ClientId)} is not an application (client) ID: one of letters, digits and -._:@ as the token service issued it.");
        }

        if (clientId.Length > 0 && string.Equals(clientId, tenant, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add("ClientId and TenantId are the same value. They are two different GUIDs: the tenant ID is the directory's, the client ID is the app registration's.");
        }

        CheckScope(scope, problems);

        var algorithm = options.SigningAlgorithm?.Trim() ?? string.Empty;
        if (!algorithm.Equals(SigningAlgorithms.RS256, StringComparison.OrdinalIgnoreCase) && !algorithm.Equals(SigningAlgorithms.PS256, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"SigningAlgorithm {OptionText.Quote(algorithm, OptionKind.Algorithm)} is not supported. Use RS256 (the default) or PS256.");
        }

        CheckTimings(options, problems);
        CheckCertificateSource(options, problems);
        return problems;
    }

    public static string Describe(IReadOnlyList<string> problems)
    {
        if (problems.Count == 1)
        {
            return "The certificate credential options are invalid: " + problems[0];
        }

        var text = new StringBuilder($"The certificate credential options have {problems.Count} problems:");
        for (var i = 0; i < problems.Count; i++)
        {
            text.Append('\n').Append(i + 1).Append(". ").Append(problems[i]);
        }

        return text.ToString();
    }

    private static void CheckScope(string scope, List<string> problems)
    {
        if (scope.Length == 0)
        {
            problems.Add("Scope is empty. Set it to the resource followed by /.default, e.g. https://graph.microsoft.com/.default.");
            return;
        }

        if (!OptionText.CanEcho(scope, OptionKind.Scope))
        {
            problems.Add($"Scope {OptionText.Quote(scope, OptionKind.Scope)} is not a scope. Set it to the resource followed by /.default, e.g. https://graph.microsoft.com/.default.");
            return;
        }

        if (scope.Contains(' ', StringComparison.Ordinal))
        {
            problems.Add($"Scope '{scope}' holds several scopes. Client credentials take one resource's /.default scope (AADSTS700022 otherwise); use one credential per resource.");
            return;
        }

        if (scope.EndsWith("/.default", StringComparison.Ordinal))
        {
            return;
        }

        if (Guid.TryParse(scope, out _))
        {
            problems.Add($"Scope '{scope}' is a resource's application ID without /.default, which the client credentials flow requires (AADSTS1002012). Use {scope}/.default.");
        }
        else if (Uri.TryCreate(scope, UriKind.Absolute, out var uri))
        {
            var resource = scope.TrimEnd('/');
            var path = uri.AbsolutePath.Trim('/');
            problems.Add(path.Length == 0
                ? $"Scope '{scope}' does not end in /.default, which the client credentials flow requires (AADSTS1002012). Use {resource}/.default."
                : $"Scope '{scope}' does not end in /.default, which the client credentials flow requires (AADSTS1002012). If it is the resource's URI, use {resource}/.default; if its last part is a permission name, use {resource[..resource.LastIndexOf('/')]}/.default: the app gets every application permission granted to it on that resource.");
        }
        else
        {
            problems.Add($"Scope '{scope}' is not a resource's /.default scope (it looks like a permission name). Client credentials take application permissions through {{resource}}/.default, e.g. https://graph.microsoft.com/.default (AADSTS1002012 otherwise).");
        }
    }

    /// <summary>A source replaces the key options: both at once would leave it unclear which certificate is used.</summary>
    private static void CheckCertificateSource(CertificateClientCredentialOptions options, List<string> problems)
    {
        if (options.CertificateSource is null)
        {
            return;
        }

        var alsoSet = new[]
        {
            ("PrivateKey", options.PrivateKey), ("PrivateKeyPath", options.PrivateKeyPath), ("PrivateKeyPassphrase", options.PrivateKeyPassphrase),
            ("Certificate", options.Certificate), ("CertificatePath", options.CertificatePath), ("CertificateThumbprint", options.CertificateThumbprint),
        }.Where(o => !string.IsNullOrWhiteSpace(o.Item2)).Select(o => o.Item1).ToList();
        if (alsoSet.Count > 0)
        {
            problems.Add($"CertificateSource is set, and so is {string.Join(", ", alsoSet)}. The source gives the key and certificate: remove the other {(alsoSet.Count == 1 ? "option" : "options")}, or the source.");
        }
    }

    private static void CheckTransport(Uri uri, string option, List<string> problems)
    {
        if (uri.Scheme == Uri.UriSchemeHttps)
        {
            return;
        }

        if (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback)
        {
            return;
        }

        problems.Add(uri.Scheme == Uri.UriSchemeHttp
            ? $"{option} {OptionText.Quote(uri)} uses plain http to a host that is not loopback: the client assertion would travel unencrypted. Use https (plain http is allowed only for 127.0.0.1, ::1 and localhost)."
            : $"{option} {OptionText.Quote(uri)} is not an http(s) URL.");
    }

    private static void CheckTimings(CertificateClientCredentialOptions options, List<string> problems)
    {
        if (options.ExpirationMargin < TimeSpan.Zero || options.ExpirationMargin > TimeSpan.FromHours(1))
        {
            problems.Add("ExpirationMargin must be between 0 and 1 hour (default 5 minutes).");
        }

        if (double.IsNaN(options.RefreshRatio) || options.RefreshRatio <= 0 || options.RefreshRatio > 1)
        {
            problems.Add("RefreshRatio must be above 0 and at most 1 (default 0.5): the fraction of a token's lifetime after which it is refreshed in the background.");
        }

        if (options.MaxRetries is < 0 or > 10)
        {
            problems.Add("MaxRetries must be between 0 and 10 (default 3).");
        }

        if (options.RetryDelay < TimeSpan.Zero || options.RetryDelay > TimeSpan.FromMinutes(1))
        {
            problems.Add("RetryDelay must be between 0 and 1 minute (default 1 second).");
        }

        if (options.MaxRetryDelay < options.RetryDelay || options.MaxRetryDelay > TimeSpan.FromMinutes(10))
        {
            problems.Add("MaxRetryDelay must be at least RetryDelay and at most 10 minutes (default 60 seconds).");
        }

        if (options.RequestTimeout <= TimeSpan.Zero || options.RequestTimeout > TimeSpan.FromMinutes(5))
        {
            problems.Add("RequestTimeout must be above 0 and at most 5 minutes (default 30 seconds).");
        }

        if (options.CertificateReloadInterval != TimeSpan.Zero &&
            (options.CertificateReloadInterval < TimeSpan.FromSeconds(1) || options.CertificateReloadInterval > TimeSpan.FromDays(1)))
        {
            problems.Add("CertificateReloadInterval must be 0 (never re-read the key and certificate) or from 1 second to 1 day (default 1 minute).");
        }
    }
}
