using CertCredentials.DependencyInjection;
using CertCredentials.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Attaches a certificate credential to an HttpClient registered with IHttpClientFactory.</summary>
public static class CertificateClientCredentialHttpClientBuilderExtensions
{
    /// <summary>
    /// Every request of this client carries <c>Authorization: Bearer</c> with the credential's cached token, and a
    /// rejected or challenged token is replaced once. <paramref name="name"/> picks a named credential; null or empty
    /// is the default one.
    /// </summary>
    public static IHttpClientBuilder AddCertificateClientCredentialHandler(this IHttpClientBuilder builder, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var credentialName = name ?? Options.Options.DefaultName;

        // A name that no credential has (a typo) fails the host at start, not the first request.
        CredentialReferenceValidator.Register(builder.Services, new CredentialReference(credentialName, $"The HttpClient '{builder.Name}' (AddCertificateClientCredentialHandler)"));
        return builder.AddHttpMessageHandler(services => new BearerTokenHandler(
            CredentialRegistry.From(services).Get(credentialName),
            services.GetService<ILoggerFactory>()?.CreateLogger("CertCredentials.Http") ?? NullLogger.Instance));
    }

    /// <summary>
    /// Registers a credential and an authorized HttpClient of the same name in one call: the client's requests carry
    /// that credential's token.
    /// </summary>
    public static IHttpClientBuilder AddCertificateClientCredentialHttpClient(this IServiceCollection services, string name,
        Action<CertCredentials.CertificateClientCredentialOptions> configure, Action<HttpClient>? configureClient = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        services.AddCertificateClientCredential(name, configure);
        var builder = configureClient is null ? services.AddHttpClient(name) : services.AddHttpClient(name, configureClient);
        return builder.AddCertificateClientCredentialHandler(name);
    }
}
