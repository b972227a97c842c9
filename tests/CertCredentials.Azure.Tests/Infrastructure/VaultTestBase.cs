using Azure.Core;
using Azure.Core.Pipeline;
using CertCredentials.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CertCredentials.Azure.Tests.Infrastructure;

/// <summary>
/// The local token service and a local Key Vault in the other tenant that trusts it, with the test application
/// granted <see cref="Permissions"/>, and a handler that trusts the vault's HTTPS certificate; the application's
/// credential over a source, or in a generic host bound to configuration. Stops what it started.
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
        Vault = await StartVaultAsync();

        // Every local vault of this process serves the same loopback certificate, so this handler trusts each.
        VaultHandler = Vault.CreateHttpMessageHandler();
    }

    public async Task DisposeAsync()
    {
        VaultHandler.Dispose();
        await Vault.DisposeAsync();
        await Entra.DisposeAsync();
    }

    /// <summary>A local vault in the other tenant with the test application granted <see cref="Permissions"/>; the caller stops it.</summary>
    protected async Task<LocalKeyVault> StartVaultAsync(KeyVaultPermissionModel? model = null)
    {
        var vault = await LocalKeyVault.StartAsync(Entra.Service, LocalEntra.OtherTenant, new LocalKeyVaultOptions { PermissionModel = model ?? PermissionModel });
        vault.Grant(TestIdentity.ClientId, Permissions);
        return vault;
    }

    /// <summary>Replaces <see cref="Vault"/> with a new, empty one under <paramref name="model"/>.</summary>
    protected async Task RestartVaultAsync(KeyVaultPermissionModel model)
    {
        await Vault.DisposeAsync();
        Vault = await StartVaultAsync(model);
    }

    /// <summary>A new version of <paramref name="name"/> in the vault, uploaded to the app registration.</summary>
    protected KeyVaultCertificateVersion CreateRegistered(string name, string subject = "CN=local-key-vault", KeyVaultCertificateOptions? options = null)
    {
        var version = Vault.CreateCertificate(name, subject, options);
        Register(version);
        return version;
    }

    /// <summary>The application's credential with its certificate <paramref name="certificateName"/> from the vault.</summary>
    protected CertificateClientCredential AppCredential(
        string certificateName,
        Action<KeyVaultCertificateSourceOptions>? source = null,
        Action<CertificateClientCredentialOptions>? change = null,
        TimeProvider? timeProvider = null,
        Microsoft.Extensions.Logging.ILogger? logger = null) =>
        new(AppOptions(Source(certificateName, source), change), timeProvider: timeProvider, logger: logger);

    /// <summary>
    /// A generic host whose credential is bound to the <c>CertCredentials</c> section, its certificate named by the
    /// section's <c>KeyVault</c> child (<paramref name="settings"/> changes the values) and read from the local vault
    /// through the vault's trusted transport. <paramref name="register"/> adds the vault credential and the rest.
    /// </summary>
    protected IHost BuildHost(Action<IServiceCollection> register, Action<IDictionary<string, string?>>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var values = new Dictionary<string, string?>
        {
            ["CertCredentials:TenantId"] = TestIdentity.TenantId,
            ["CertCredentials:ClientId"] = AppClientId,
            ["CertCredentials:Scope"] = TestIdentity.GraphScope,
            ["CertCredentials:AuthorityHost"] = Entra.Service.BaseAddress.AbsoluteUri,
            ["CertCredentials:RetryDelay"] = "00:00:00",
            ["CertCredentials:KeyVault:VaultUri"] = Vault.VaultUri.AbsoluteUri,
            ["CertCredentials:KeyVault:CertificateName"] = "app",
            ["CertCredentials:KeyVault:DisableChallengeResourceVerification"] = "true",
        };
        settings?.Invoke(values);
        builder.Configuration.AddInMemoryCollection(values);
        var section = builder.Configuration.GetSection("CertCredentials");
        builder.Services.AddCertificateClientCredential(section)
            .AddCertificateClientCredentialKeyVault(section, o =>
            {
                o.Transport = new HttpClientTransport(VaultHandler);
                o.Retry.MaxRetries = 0;
            });
        register(builder.Services);
        return builder.Build();
    }

    /// <summary>Changes a host's configuration at run time, as a reloaded appsettings.json does.</summary>
    protected static void Reconfigure(IHost host, params (string Key, string Value)[] changes)
    {
        var configuration = (IConfigurationRoot)host.Services.GetRequiredService<IConfiguration>();
        foreach (var (key, value) in changes)
        {
            configuration[key] = value;
        }

        configuration.Reload();
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
