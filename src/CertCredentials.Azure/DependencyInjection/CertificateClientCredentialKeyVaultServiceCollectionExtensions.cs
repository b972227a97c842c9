using CertCredentials.Azure.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CertCredentials.Azure;

/// <summary>Takes a credential's certificate from Key Vault, as its configuration says.</summary>
public static class CertificateClientCredentialKeyVaultServiceCollectionExtensions
{
    /// <summary>
    /// The service key of the vault's own credential: <c>services.AddKeyedSingleton&lt;TokenCredential&gt;(VaultCredentialServiceKey, new ManagedIdentityCredential(...))</c>.
    /// Without it, the container's only <see cref="global::Azure.Core.TokenCredential"/> is the vault credential (unless it is the certificate credential's own).
    /// </summary>
    public const string VaultCredentialServiceKey = "CertCredentials.KeyVault";

    /// <summary>
    /// When the default credential's section (the one given to <c>AddCertificateClientCredential</c>, e.g.
    /// <c>"CertCredentials"</c>) has a <c>KeyVault</c> child with <c>VaultUri</c> and <c>CertificateName</c>, its
    /// certificate comes from that vault through a <see cref="KeyVaultCertificateSource"/> (optional keys:
    /// <c>AllowSigningInVault</c>, <c>DisableChallengeResourceVerification</c>). The vault is read with the vault's
    /// own credential from the container: the <see cref="global::Azure.Core.TokenCredential"/> keyed
    /// <see cref="VaultCredentialServiceKey"/>, else the only unkeyed one. Without one, or with a missing or bad value,
    /// the host fails at start with the fix. A change of the section reaches the running credential.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The credential's configuration section.</param>
    public static IServiceCollection AddCertificateClientCredentialKeyVault(this IServiceCollection services, IConfiguration configuration) =>
        services.AddCertificateClientCredentialKeyVault(Options.DefaultName, configuration, null);

    /// <summary>As <see cref="AddCertificateClientCredentialKeyVault(IServiceCollection, IConfiguration)"/>, with further source settings.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The credential's configuration section.</param>
    /// <param name="configure">Further source settings (transport, retries) beside the configured ones.</param>
    public static IServiceCollection AddCertificateClientCredentialKeyVault(this IServiceCollection services, IConfiguration configuration,
                                                                            Action<KeyVaultCertificateSourceOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return services.AddCertificateClientCredentialKeyVault(Options.DefaultName, configuration, configure);
    }

    /// <summary>As <see cref="AddCertificateClientCredentialKeyVault(IServiceCollection, IConfiguration)"/>, for the named credential <paramref name="name"/>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The credential's name, as given to <c>AddCertificateClientCredential</c>.</param>
    /// <param name="configuration">The credential's configuration section.</param>
    /// <param name="configure">Further source settings (transport, retries) beside the configured ones; none when null.</param>
    public static IServiceCollection AddCertificateClientCredentialKeyVault(this IServiceCollection services, string name, IConfiguration configuration,
                                                                            Action<KeyVaultCertificateSourceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSingleton<IConfigureOptions<CertificateClientCredentialOptions>>(sp => new KeyVaultSourceConfigurator(name, configuration, configure, sp));
        services.AddSingleton<IOptionsChangeTokenSource<CertificateClientCredentialOptions>>(new ConfigurationChangeTokenSource<CertificateClientCredentialOptions>(name, configuration));
        return services;
    }
}
