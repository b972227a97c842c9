using Azure.Core;
using CertCredentials.Azure.DependencyInjection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CertCredentials.Azure;

/// <summary>Registers a certificate credential's <see cref="TokenCredential"/> for the Azure SDK and Microsoft Graph.</summary>
public static class CertificateClientCredentialAzureServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="TokenCredential"/> (a singleton, unless one is registered already) as the default
    /// certificate credential's <see cref="CertificateClientCredentialAzureExtensions.AsTokenCredential"/>: inject it
    /// into <c>new GraphServiceClient(tokenCredential)</c>, or give it to <c>AddAzureClients</c> with
    /// <c>clients.UseCredential(sp => sp.GetRequiredService&lt;TokenCredential&gt;())</c>. Register the credential itself
    /// with <c>AddCertificateClientCredential</c>.
    /// </summary>
    public static IServiceCollection AddCertificateClientCredentialTokenCredential(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<TokenCredential>(sp =>
        {
            VaultCredentialGuard.Check(Microsoft.Extensions.Options.Options.DefaultName);
            return sp.GetRequiredService<CertificateClientCredential>().AsTokenCredential();
        });
        return services;
    }

    /// <summary>
    /// Registers the named certificate credential's <see cref="TokenCredential"/> as a keyed singleton under the same
    /// name (<c>[FromKeyedServices("orders")] TokenCredential credential</c>).
    /// </summary>
    public static IServiceCollection AddCertificateClientCredentialTokenCredential(this IServiceCollection services, string name)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        services.TryAddKeyedSingleton<TokenCredential>(name, (sp, _) =>
        {
            VaultCredentialGuard.Check(name);
            return sp.GetRequiredKeyedService<CertificateClientCredential>(name).AsTokenCredential();
        });
        return services;
    }
}
