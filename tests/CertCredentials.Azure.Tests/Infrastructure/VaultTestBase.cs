using Azure.Core;
using Azure.Core.Pipeline;
using CertCredentials.Testing;

namespace CertCredentials.Azure.Tests.Infrastructure;

/// <summary>
/// The local token service and a local Key Vault in the other tenant that trusts it, with the test application
/// granted <see cref="Permissions"/>, and a handler that trusts the vault's HTTPS certificate. Stops both.
/// </summary>
public abstract class VaultTestBase : IAsyncLifetime
{
    /// <summary>The application whose certificate lives in the vault (the test application is the vault's reader).</summary>
    public const string AppClientId = "a9b8c7d6-e5f4-4a3b-8c2d-1e0f9a8b7c6d";

    private TokenCredential? _vaultCredential;

    internal LocalEntra Entra { get; private set; } = null!;

    protected LocalKeyVault Vault { get; private set; } = null!;

    protected HttpMessageHandler VaultHandler { get; private set; } = null!;

    protected virtual KeyVaultPermissionModel PermissionModel => KeyVaultPermissionModel.AccessPolicy;

    protected virtual KeyVaultPermissions Permissions => KeyVaultPermissions.All;

    /// <summary>The vault's own credential, as a managed identity would be: the test application's file-key credential.</summary>
    protected TokenCredential VaultCredential => _vaultCredential ??= Entra.Credential().AsTokenCredential();

    public async Task InitializeAsync()
    {
        Entra = await LocalEntra.StartAsync();
        Vault = await LocalKeyVault.StartAsync(Entra.Service, LocalEntra.OtherTenant, new LocalKeyVaultOptions { PermissionModel = PermissionModel });
        Vault.Grant(TestIdentity.ClientId, Permissions);
        VaultHandler = Vault.CreateHttpMessageHandler();
    }

    public async Task DisposeAsync()
    {
        VaultHandler.Dispose();
        await Vault.DisposeAsync();
        await Entra.DisposeAsync();
    }

    /// <summary>Client options for the local vault: its trusted transport, its challenge resource, no retries.</summary>
    protected KeyVaultCertificateSourceOptions SourceOptions(Action<KeyVaultCertificateSourceOptions>? change = null)
    {
        var options = new KeyVaultCertificateSourceOptions { Transport = new HttpClientTransport(VaultHandler), DisableChallengeResourceVerification = true };
        options.Retry.MaxRetries = 0;
        change?.Invoke(options);
        return options;
    }

    protected KeyVaultCertificateSource Source(string name, Action<KeyVaultCertificateSourceOptions>? change = null) =>
        new(Vault.VaultUri, name, VaultCredential, SourceOptions(change));

    /// <summary>Registers a vault certificate for the application in the token service, as uploading it to the app registration does.</summary>
    protected void Register(KeyVaultCertificateVersion version) =>
        Entra.Service.RegisterApplication(TestIdentity.TenantId, AppClientId, version.Certificate, TestIdentity.Graph);

    /// <summary>The application's credential options with its certificate from <paramref name="source"/>.</summary>
    protected CertificateClientCredentialOptions AppOptions(CertificateSource source, Action<CertificateClientCredentialOptions>? change = null)
    {
        var options = new CertificateClientCredentialOptions();
        ConfigureApp(options, source);
        change?.Invoke(options);
        return options;
    }

    protected void ConfigureApp(CertificateClientCredentialOptions options, CertificateSource? source)
    {
        options.TenantId = TestIdentity.TenantId;
        options.ClientId = AppClientId;
        options.Scope = TestIdentity.GraphScope;
        options.AuthorityHost = Entra.Service.BaseAddress;
        options.CertificateSource = source;
        options.RetryDelay = TimeSpan.Zero;
    }

    /// <summary>The <c>x5t#S256</c> header a certificate's assertions carry.</summary>
    protected static string X5tS256(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate) =>
        Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(certificate.RawData)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
