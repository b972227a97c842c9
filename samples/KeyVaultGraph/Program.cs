// The Key Vault and Graph sample: `dotnet run --project samples/KeyVaultGraph`. Offline: everything on 127.0.0.1.
// The application's certificate lives in a (local) Key Vault, named in configuration
// ("CertCredentials": { "KeyVault": { "VaultUri", "CertificateName" } }); the vault is read with the vault's own
// credential (in production, typically the managed identity; here a second local application); and Microsoft Graph
// is called through the real GraphServiceClient with the certificate credential's TokenCredential.
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Core;
using Azure.Core.Pipeline;
using CertCredentials;
using CertCredentials.Azure;
using CertCredentials.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Graph;
using Microsoft.Graph.Authentication;

const string TenantId = "72f988bf-0000-4000-8000-000000000011";
const string AppClientId = "6f1c2b3a-0000-4000-8000-000000000012";
const string VaultReaderClientId = "6f1c2b3a-0000-4000-8000-000000000013";

Console.WriteLine("CertCredentials Key Vault and Graph sample (offline: everything runs on 127.0.0.1)");

// 1. Stand-ins for Entra, Key Vault and Microsoft Graph, each a real HTTPS or HTTP server on loopback.
await using var entra = await LocalTokenService.StartAsync();
await using var vault = await LocalKeyVault.StartAsync(entra, TenantId);
await using var graphApi = await LocalGraphApi.StartAsync(entra, TenantId);

// 2. The application's certificate, created in the vault (as `az keyvault certificate create` does) and uploaded to
//    the app registration. Its key is exportable here; with a non-exportable one the vault would sign instead.
var version = vault.CreateCertificate("graph-app", "CN=CertCredentials Key Vault sample");
entra.RegisterApplication(TenantId, AppClientId, version.Certificate, LocalGraphApi.DefaultResource);
Console.WriteLine($"  certificate    : {version.Id} ({version.Certificate.Subject})");

// 3. The vault's own credential. In production: new ManagedIdentityCredential(...). Here: a second application,
//    granted 'certificates get' and 'secrets get' on the vault, with a key made now.
using var readerRsa = RSA.Create(2048);
using var readerCertificate = new CertificateRequest("CN=vault reader", readerRsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
    .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(1));
entra.RegisterApplication(TenantId, VaultReaderClientId, readerCertificate, LocalKeyVault.DefaultResource);
vault.Grant(VaultReaderClientId, KeyVaultPermissions.CertificatesGet | KeyVaultPermissions.SecretsGet);
using var vaultReader = new CertificateClientCredential(new CertificateClientCredentialOptions
{
    TenantId = TenantId,
    ClientId = VaultReaderClientId,
    Scope = LocalKeyVault.DefaultResource + "/.default",
    AuthorityHost = entra.BaseAddress, // only for the local stand-in
    PrivateKey = readerRsa.ExportPkcs8PrivateKeyPem(),
    Certificate = readerCertificate.ExportCertificatePem(),
});

// 4. What goes in appsettings.json and Program.cs.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, DisableDefaults = true });
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["CertCredentials:TenantId"] = TenantId,
    ["CertCredentials:ClientId"] = AppClientId,
    ["CertCredentials:Scope"] = "https://graph.microsoft.com/.default",
    ["CertCredentials:AuthorityHost"] = entra.BaseAddress.AbsoluteUri, // only for the local stand-in
    ["CertCredentials:KeyVault:VaultUri"] = vault.VaultUri.AbsoluteUri,
    ["CertCredentials:KeyVault:CertificateName"] = "graph-app",
    ["CertCredentials:KeyVault:DisableChallengeResourceVerification"] = "true", // only for the local stand-in
});
var section = builder.Configuration.GetSection("CertCredentials");
var vaultHandler = vault.CreateHttpMessageHandler(); // trusts the local vault's certificate; owned by the transport
builder.Services.AddKeyedSingleton<TokenCredential>(CertificateClientCredentialKeyVaultServiceCollectionExtensions.VaultCredentialServiceKey, vaultReader.AsTokenCredential());
builder.Services.AddCertificateClientCredential(section)
    .AddCertificateClientCredentialKeyVault(section, o => o.Transport = new HttpClientTransport(vaultHandler)) // only for the local stand-in
    .AddCertificateClientCredentialTokenCredential();

using var host = builder.Build();
await host.StartAsync(); // the certificate is read from the vault here: a problem fails the start, with its fix

// 5. GraphServiceClient with the credential's TokenCredential. Against Microsoft Graph itself this is
//    new GraphServiceClient(tokenCredential); the local API needs its base URL, its host allowed and its certificate trusted.
var tokenCredential = host.Services.GetRequiredService<TokenCredential>();
using var http = GraphClientFactory.Create(finalHandler: graphApi.CreateHttpMessageHandler());
using var graph = new GraphServiceClient(
    http,
    new AzureIdentityAuthenticationProvider(tokenCredential, allowedHosts: [graphApi.ServiceRoot.Host], observabilityOptions: null, isCaeEnabled: true,
        scopes: ["https://graph.microsoft.com/.default"]),
    graphApi.ServiceRoot.AbsoluteUri);

var failed = false;
try
{
    var organizations = await graph.Organization.GetAsync();
    foreach (var organization in organizations?.Value ?? [])
    {
        Console.WriteLine($"  organization   : {organization.DisplayName} ({organization.Id})");
    }

    var users = await graph.Users.GetAsync(r => r.QueryParameters.Select = ["displayName", "userPrincipalName"]);
    foreach (var user in users?.Value ?? [])
    {
        Console.WriteLine($"  user           : {user.DisplayName} <{user.UserPrincipalName}>");
    }

    failed = organizations?.Value is not [_] || users?.Value is not { Count: > 0 };
}
catch (Exception e) when (e is CertificateCredentialException or Microsoft.Graph.Models.ODataErrors.ODataError)
{
    Console.Error.WriteLine(e.Message);
    failed = true;
}

await host.StopAsync();
var credential = host.Services.GetRequiredService<CertificateClientCredential>();
var tokenRequests = entra.Requests.Count(r => r.Form.GetValueOrDefault("client_id") == AppClientId);
Console.WriteLine();
Console.WriteLine($"Summary: certificate {credential.CertificateSubject} read from {vault.VaultUri} ({vault.Requests.Count} vault requests); "
    + $"{graphApi.Requests.Count} Graph calls on {tokenRequests} token request.");
failed |= tokenRequests != 1 || credential.CertificateSubject != version.Certificate.Subject;
Console.WriteLine(failed ? "Key Vault and Graph sample finished: FAILED" : "Key Vault and Graph sample finished: OK");
return failed ? 1 : 0;
