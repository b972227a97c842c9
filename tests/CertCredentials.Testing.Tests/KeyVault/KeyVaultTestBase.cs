using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using Azure.Core;
using CertCredentials.Testing.Tests.Infrastructure;
using Azure.Core.Pipeline;
using Azure.Identity;
using Azure.Security.KeyVault.Certificates;
using Azure.Security.KeyVault.Secrets;

namespace CertCredentials.Testing.Tests.KeyVault;

/// <summary>
/// A token service over HTTPS, a local Key Vault that trusts it, and the real Azure SDK: Azure.Identity's
/// ClientCertificateCredential gets the vault's tokens, CertificateClient and SecretClient call the vault.
/// </summary>
public abstract class KeyVaultTestBase : IAsyncLifetime
{
    protected const string Tenant = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d";
    protected const string ClientId = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";

    private readonly X509Certificate2 _tokenServiceHttps = LoopbackHttps.CreateCertificate();
    private HttpMessageHandler _vaultHandler = null!;
    private HttpClientHandler _tokenServiceHandler = null!;

    protected LocalTokenService Service { get; private set; } = null!;

    protected LocalKeyVault Vault { get; private set; } = null!;

    protected TokenCredential Credential { get; private set; } = null!;

    protected HttpClient VaultHttp { get; private set; } = null!;

    protected virtual KeyVaultPermissionModel PermissionModel => KeyVaultPermissionModel.AccessPolicy;

    public virtual async Task InitializeAsync()
    {
        Service = await LocalTokenService.StartAsync(new LocalTokenServiceOptions { HttpsCertificate = _tokenServiceHttps });
        Service.RegisterApplication(Tenant, ClientId, TestCertificates.Shared, LocalKeyVault.DefaultResource, "https://graph.microsoft.com");
        Vault = await LocalKeyVault.StartAsync(Service, Tenant, new LocalKeyVaultOptions { PermissionModel = PermissionModel });
        Vault.Grant(ClientId, KeyVaultPermissions.All);
        _tokenServiceHandler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, c, _, _) => c?.Thumbprint == _tokenServiceHttps.Thumbprint,
        };
        Credential = new ClientCertificateCredential(Tenant, ClientId, TestCertificates.Shared, new ClientCertificateCredentialOptions
        {
            AuthorityHost = Service.BaseAddress,
            DisableInstanceDiscovery = true,
            Transport = new HttpClientTransport(_tokenServiceHandler),
        });
        _vaultHandler = Vault.CreateHttpMessageHandler();
        VaultHttp = new HttpClient(_vaultHandler, disposeHandler: false) { BaseAddress = Vault.VaultUri };
    }

    public virtual async Task DisposeAsync()
    {
        VaultHttp.Dispose();
        _vaultHandler.Dispose();
        await Vault.DisposeAsync();
        await Service.DisposeAsync();
        _tokenServiceHandler.Dispose();
        _tokenServiceHttps.Dispose();
    }

    protected CertificateClient CertificateClient() => new(Vault.VaultUri, Credential, new CertificateClientOptions
    {
        Transport = new HttpClientTransport(_vaultHandler),
        DisableChallengeResourceVerification = true,
        Retry = { MaxRetries = 0 },
    });

    protected SecretClient SecretClient() => new(Vault.VaultUri, Credential, new SecretClientOptions
    {
        Transport = new HttpClientTransport(_vaultHandler),
        DisableChallengeResourceVerification = true,
        Retry = { MaxRetries = 0 },
    });

    protected async Task<HttpRequestMessage> AuthorizedAsync(HttpMethod method, string pathAndQuery, string resource = LocalKeyVault.DefaultResource)
    {
        var token = await Credential.GetTokenAsync(new TokenRequestContext([resource + "/.default"], tenantId: Tenant), default);
        var request = new HttpRequestMessage(method, pathAndQuery);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        return request;
    }
}
