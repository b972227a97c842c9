using Azure.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CertCredentials.Azure.DependencyInjection;

/// <summary>
/// Sets a credential's <see cref="CertificateClientCredentialOptions.CertificateSource"/> from the <c>KeyVault</c>
/// child of its configuration section (VaultUri, CertificateName), with the vault credential from the container. The
/// same settings give the same source instance, so a configuration change elsewhere does not reload the certificate.
/// </summary>
internal sealed class KeyVaultSourceConfigurator : IConfigureNamedOptions<CertificateClientCredentialOptions>
{
    private readonly string _name;
    private readonly IConfiguration _section;
    private readonly Action<KeyVaultCertificateSourceOptions>? _configure;
    private readonly IServiceProvider _services;
    private readonly Lock _gate = new();
    private (string Key, TokenCredential Credential, CertificateSource Source)? _current;

    public KeyVaultSourceConfigurator(string name, IConfiguration section, Action<KeyVaultCertificateSourceOptions>? configure, IServiceProvider services)
    {
        _name = name;
        _section = section;
        _configure = configure;
        _services = services;
    }

    public void Configure(CertificateClientCredentialOptions options) => Configure(Options.DefaultName, options);

    public void Configure(string? name, CertificateClientCredentialOptions options)
    {
        if ((name ?? Options.DefaultName) != _name)
        {
            return;
        }

        var keyVault = _section.GetSection("KeyVault");
        if (!keyVault.Exists())
        {
            return;
        }

        options.CertificateSource = Source(keyVault);
    }

    private CertificateSource Source(IConfigurationSection keyVault)
    {
        var path = keyVault.Path;
        var vaultUri = keyVault["VaultUri"];
        var certificateName = keyVault["CertificateName"];
        if (string.IsNullOrWhiteSpace(vaultUri) || !Uri.TryCreate(vaultUri, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
        {
            return new UnusableKeyVaultSettings(string.IsNullOrWhiteSpace(vaultUri)
                ? $"{path}:VaultUri is missing. Give the vault's URI, https://<name>.vault.azure.net/."
                : $"{path}:VaultUri '{vaultUri}' is not an https URI. Give the vault's URI, https://<name>.vault.azure.net/.");
        }

        if (string.IsNullOrWhiteSpace(certificateName) || certificateName.Length > 127 || !certificateName.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            return new UnusableKeyVaultSettings(string.IsNullOrWhiteSpace(certificateName)
                ? $"{path}:CertificateName is missing. Give the certificate's name in the vault."
                : $"{path}:CertificateName '{certificateName}' is not a Key Vault certificate name (1-127 letters, digits and dashes).");
        }

        var credential = VaultCredential();
        if (credential is null)
        {
            var key = CertificateClientCredentialKeyVaultServiceCollectionExtensions.VaultCredentialServiceKey;
            return new UnusableKeyVaultSettings(
                $"{path} names a certificate in Key Vault, but no vault credential is registered to read it. Register the vault's own credential, typically the managed identity: "
                + $"services.AddKeyedSingleton<TokenCredential>(\"{key}\", new ManagedIdentityCredential(...)), or as the only TokenCredential. "
                + "It cannot be this certificate credential's own TokenCredential, which needs the certificate first.");
        }

        var allowSigning = keyVault.GetValue("AllowSigningInVault", true);
        var disableVerification = keyVault.GetValue("DisableChallengeResourceVerification", false);
        var settingsKey = string.Join('|', uri.AbsoluteUri, certificateName, allowSigning, disableVerification);
        lock (_gate)
        {
            if (_current is { } current && current.Key == settingsKey && ReferenceEquals(current.Credential, credential))
            {
                return current.Source;
            }

            var sourceOptions = new KeyVaultCertificateSourceOptions
            {
                AllowSigningInVault = allowSigning,
                DisableChallengeResourceVerification = disableVerification,
                TimeProvider = _services.GetService<TimeProvider>(),
                LoggerFactory = _services.GetService<ILoggerFactory>(),
            };
            _configure?.Invoke(sourceOptions);
            var source = new KeyVaultCertificateSource(uri, certificateName, credential, sourceOptions);
            _current = (settingsKey, credential, source);
            return source;
        }
    }

    /// <summary>The keyed vault credential, else the only TokenCredential unless it is this credential's own; null when none.</summary>
    private TokenCredential? VaultCredential()
    {
        var keyed = _services.GetKeyedService<TokenCredential>(CertificateClientCredentialKeyVaultServiceCollectionExtensions.VaultCredentialServiceKey);
        if (keyed is not null)
        {
            return keyed;
        }

        try
        {
            return VaultCredentialGuard.While(_name, () => _services.GetService<TokenCredential>());
        }
        catch (OwnTokenCredentialException)
        {
            return null;
        }
    }
}
