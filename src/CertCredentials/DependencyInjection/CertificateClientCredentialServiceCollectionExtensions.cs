using CertCredentials.Configuration;
using CertCredentials.DependencyInjection;
using CertCredentials.TokenEndpoint;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers certificate client credentials in Program.cs.</summary>
public static class CertificateClientCredentialServiceCollectionExtensions
{
    /// <summary>
    /// Registers the default certificate credential, configured in code. Its options are validated at start (every
    /// problem at once, the key included); resolve it as <see cref="CertCredentials.CertificateClientCredential"/>,
    /// or attach it to an HttpClient with <c>AddCertificateClientCredentialHandler()</c>.
    /// </summary>
    public static IServiceCollection AddCertificateClientCredential(this IServiceCollection services, Action<CertCredentials.CertificateClientCredentialOptions> configure) =>
        services.AddCertificateClientCredential(Options.Options.DefaultName, configure);

    /// <summary>Registers the default certificate credential, bound to a configuration section (e.g. <c>"CertCredentials"</c>).</summary>
    public static IServiceCollection AddCertificateClientCredential(this IServiceCollection services, IConfiguration configuration) =>
        services.AddCertificateClientCredential(Options.Options.DefaultName, configuration);

    /// <summary>
    /// Registers a named certificate credential, so one process can hold several apps, tenants or scopes. Resolve it
    /// as a keyed service (<c>[FromKeyedServices("name")]</c>) or attach it with <c>AddCertificateClientCredentialHandler("name")</c>.
    /// </summary>
    public static IServiceCollection AddCertificateClientCredential(this IServiceCollection services, string name, Action<CertCredentials.CertificateClientCredentialOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        AddCore(services, name).Configure(configure);
        return services;
    }

    /// <summary>Registers a named certificate credential bound to a configuration section.</summary>
    public static IServiceCollection AddCertificateClientCredential(this IServiceCollection services, string name, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        AddCore(services, name).Configure(options => OptionsBinding.Bind(configuration, options));

        // What OptionsBuilder.Bind also does: a reload of the configuration reaches IOptionsMonitor (certificate rotation).
        services.AddSingleton<IOptionsChangeTokenSource<CertCredentials.CertificateClientCredentialOptions>>(
            new ConfigurationChangeTokenSource<CertCredentials.CertificateClientCredentialOptions>(name, configuration));
        return services;
    }

    private static OptionsBuilder<CertCredentials.CertificateClientCredentialOptions> AddCore(IServiceCollection services, string name)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(name);

        services.AddHttpClient(CredentialRegistry.TokenEndpointClientName)
            .ConfigurePrimaryHttpMessageHandler(TokenEndpointHttp.CreateHandler)
            .ConfigureHttpClient(TokenEndpointHttp.Configure);

        services.TryAddSingleton<CredentialRegistry>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CertCredentials.CertificateClientCredentialOptions>, CredentialOptionsStartupValidator>());
        if (!services.Any(d => d.ServiceType == typeof(CredentialRegistration) && d.ImplementationInstance is CredentialRegistration r && r.Name == name))
        {
            services.AddSingleton(new CredentialRegistration(name));
        }

        if (name.Length == 0)
        {
            services.TryAddSingleton(sp => sp.GetRequiredService<CredentialRegistry>().Get(Options.Options.DefaultName));
        }

        services.TryAddKeyedSingleton(name, (sp, _) => sp.GetRequiredService<CredentialRegistry>().Get(name));

        // Relative key and certificate paths resolve against the host's content root, as appsettings.json does.
        return services.AddOptions<CertCredentials.CertificateClientCredentialOptions>(name)
            .PostConfigure<IServiceProvider>((options, provider) => ContentRootPaths.Apply(options, provider.GetService<IHostEnvironment>()?.ContentRootPath))
            .ValidateOnStart();
    }
}
