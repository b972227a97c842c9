using System.Collections.Frozen;

namespace CertCredentials.TokenEndpoint;

/// <summary>What the AADSTS codes of protocol.md mean for someone holding a certificate credential, and the fix.</summary>
internal static class AadstsHints
{
    private static readonly FrozenDictionary<int, string> Hints = new Dictionary<int, string>
    {
        [700027] = "Entra found no registered certificate that verifies the assertion's signature: the certificate ({thumbprint}) is not uploaded under Certificates & secrets of app {clientId} (or was uploaded to another app or tenant, or was removed), or the private key is not that certificate's. Upload the certificate to this app registration, or check that key and certificate belong together.",
        [700024] = "The client assertion is outside its valid time range: this machine's clock is probably off. Synchronise it (NTP); assertions are valid from now for 10 minutes.",
        [50012] = "Authentication failed: the signature is invalid or the certificate ({thumbprint}) is not authorised for app {clientId}. Check that this certificate is registered on the app; with subject-name/issuer registration, set SendCertificateChain = true.",
        [50027] = "Entra found the client assertion malformed (audience, issuer, time range or format). If TokenEndpoint is set, it must be exactly the URL the request goes to.",
        [50048] = "The assertion's subject does not match its issuer; both must be the client ID.",
        [700021] = "The assertion's issuer is not the client_id sent. ClientId must be the application (client) ID of the app that owns the certificate.",
        [700023] = "The assertion's audience is not this token endpoint. If TokenEndpoint is set, it must be exactly the URL the request is sent to.",
        [700016] = "Application {clientId} was not found in tenant {tenant}: the ClientId is wrong, TenantId and ClientId are swapped, or the app lives in another tenant (a multi-tenant app needs admin consent in this one). Check both IDs on the app's Overview page: 'Directory (tenant) ID' and 'Application (client) ID'.",
        [90002] = "Tenant {tenant} was not found: the TenantId is wrong (are TenantId and ClientId swapped? the tenant is the 'Directory (tenant) ID' on the app's Overview page), or it belongs to another cloud: US Government tenants need AuthorityHost = AuthorityHosts.AzureGovernment, China tenants AuthorityHosts.AzureChina.",
        [70011] = "The scope is invalid. Use the resource's /.default scope, e.g. https://graph.microsoft.com/.default.",
        [700022] = "The scope names more than one resource. Use one credential per resource, each with that resource's /.default scope.",
        [1002012] = "The client credentials flow needs a /.default scope, e.g. https://graph.microsoft.com/.default.",
        [500011] = "The resource named by the scope was not found in tenant {tenant}: the scope's resource URI is wrong, or that API has no service principal in this tenant (add or consent to it there).",
        [7000218] = "The request reached Entra without a client assertion. A proxy between this service and Entra may have dropped the request body.",
        [9001023] = "Client credentials cannot be issued over /common, /organizations or /consumers. Set TenantId to the tenant's GUID or domain.",
        [50032] = "The RSA key is too weak: Entra needs 2048 bits or more. Make a new key and certificate.",
        [50196] = "Entra detected a request loop: this app asked for the same token too often. Reuse one credential (a singleton) so its cache is used.",
        [90055] = "The tenant is being throttled. Back off; the library retries with Retry-After.",
        [5002730] = "The key provider cannot sign with PSS. Set SigningAlgorithm = \"RS256\".",
        [7000112] = "Application {clientId} is disabled. Enable it (Enterprise applications, Properties) or use another app.",
        [53003] = "Conditional Access blocked this workload identity. Ask a tenant administrator which policy applies to the service principal of {clientId}.",
        [700025] = "The app is registered as a public client, which cannot use client credentials. Turn off 'Allow public client flows' on the app registration.",
    }.ToFrozenDictionary();

    public static string? For(int code, string clientId, string tenant, string thumbprint) =>
        Hints.TryGetValue(code, out var hint)
            ? hint.Replace("{clientId}", clientId, StringComparison.Ordinal)
                  .Replace("{tenant}", tenant, StringComparison.Ordinal)
                  .Replace("{thumbprint}", thumbprint, StringComparison.Ordinal)
            : null;
}
