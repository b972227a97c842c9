using CertCredentials.Configuration;
using CertCredentials.Keys;
using CertCredentials.Tool.Cli;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CertCredentials.Tool.Configuration;

/// <summary>
/// The credential exactly as an application gets it: the JSON file and then the environment variables (as a host's
/// configuration stacks them), bound by <c>AddCertificateClientCredential(configuration.GetSection(section))</c> and
/// resolved from the container, so its own start-up validation runs. Before that, the bound options are checked with
/// the library's validator and key reader, whose typed failures tell a configuration problem from a key problem
/// (the container's OptionsValidationException carries only text).
/// </summary>
internal sealed class CredentialSession : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private CredentialSession(ServiceProvider services, CertificateClientCredential credential, string source)
    {
        _services = services;
        Credential = credential;
        Source = source;
    }

    public CertificateClientCredential Credential { get; }

    /// <summary>Where the configuration came from, in words.</summary>
    public string Source { get; }

    /// <exception cref="ToolFailure">The configuration file is missing or unreadable, or has no such section.</exception>
    /// <exception cref="CertificateCredentialException">The options or the key are unusable.</exception>
    public static CredentialSession Open(string? configFile, string sectionName, ToolContext context, bool verbose)
    {
        var (configuration, source) = BuildConfiguration(configFile, context);
        var section = configuration.GetSection(sectionName);
        if (!section.Exists())
        {
            throw new ToolFailure(ExitCodes.Configuration,
                $"There is no '{sectionName}' section in {source}. Give the file with --config, the section with --section, or set {sectionName}__TenantId, {sectionName}__ClientId, ... in the environment.");
        }

        var services = new ServiceCollection();
        services.AddLogging(logging => logging.ClearProviders().SetMinimumLevel(LogLevel.Debug).AddProvider(new StderrLoggerProvider(context.Error, verbose)));
        services.AddSingleton(context.TimeProvider);
        services.AddCertificateClientCredential(section);
        var provider = services.BuildServiceProvider();
        try
        {
            var options = BoundOptions(provider, sectionName);
            var problems = CredentialOptionsValidator.Validate(options);
            if (problems.Count > 0)
            {
                throw new ConfigurationProblems(problems);
            }

            using (KeyMaterialLoader.Load(options))
            {
                // Read once here for its typed failure; the container reads it again when it builds the credential.
            }

            return new CredentialSession(provider, provider.GetRequiredService<CertificateClientCredential>(), source);
        }
        catch
        {
            provider.Dispose();
            throw;
        }
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    private static (IConfiguration Configuration, string Source) BuildConfiguration(string? configFile, ToolContext context)
    {
        var path = context.FullPath(configFile ?? ConfigurationOptions.DefaultFile);
        var builder = new ConfigurationBuilder();
        string source;
        if (File.Exists(path))
        {
            builder.AddJsonFile(path, optional: false, reloadOnChange: false);
            source = $"'{path}' and the environment";
        }
        else if (configFile is not null)
        {
            throw new ToolFailure(ExitCodes.Configuration, $"The configuration file '{path}' given in --config does not exist.");
        }
        else
        {
            source = $"the environment (there is no {ConfigurationOptions.DefaultFile} in '{context.WorkingDirectory}')";
        }

        if (context.UsesProcessEnvironment)
        {
            builder.AddEnvironmentVariables();
        }
        else
        {
            // In-process tests give their own variables; the environment provider maps them the same way ("__" is ":").
            builder.AddInMemoryCollection(context.EnvironmentVariables()
                .Select(v => new KeyValuePair<string, string?>(v.Key.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal), v.Value)));
        }

        try
        {
            return (builder.Build(), source);
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or IOException)
        {
            throw new ToolFailure(ExitCodes.Configuration, $"The configuration file '{path}' cannot be read: {e.Message}", e);
        }
    }

    /// <summary>The options as the container binds them (its own configure steps), without its validation.</summary>
    private static CertificateClientCredentialOptions BoundOptions(IServiceProvider provider, string sectionName)
    {
        var factory = new OptionsFactory<CertificateClientCredentialOptions>(
            provider.GetServices<IConfigureOptions<CertificateClientCredentialOptions>>(),
            provider.GetServices<IPostConfigureOptions<CertificateClientCredentialOptions>>());
        try
        {
            return factory.Create(Options.DefaultName);
        }
        catch (InvalidOperationException e)
        {
            // A value of the wrong type is refused by the library's own binding (typed, the value not echoed); what
            // remains here comes from other configure steps.
            throw new ToolFailure(ExitCodes.Configuration, $"The '{sectionName}' section cannot be bound: {e.Message}", e);
        }
    }
}
