using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Abstractions;
using Microsoft.Identity.Web;
using Microsoft.Identity.Web.TokenCacheProviders.InMemory;

namespace CertCredentials.Benchmarks.Infrastructure;

/// <summary>
/// Microsoft.Identity.Web's token acquisition as its docs set it up outside ASP.NET Core (what
/// <c>TokenAcquirerFactory</c> does: <c>AddTokenAcquisition</c>, <c>AddHttpClient</c>, the options, in-memory token
/// caches), configured in code with the benchmark certificate in a <see cref="CredentialDescription"/>. The instance
/// is the authority host: for a host Entra does not know, MSAL asks the instance discovery endpoint, which the
/// loopback token service serves (see <see cref="Clients.LoopbackHandler"/>). Identity.Web takes MSAL's HttpClient
/// from IHttpClientFactory's default client, given here the same kind of handler as the other contenders.
/// </summary>
internal static class IdentityWeb
{
    public static readonly string[] Scopes = [Identities.Scope];

    /// <summary>App tokens, not user tokens.</summary>
    public static AuthorizationHeaderProviderOptions ForApp { get; } = new() { RequestAppToken = true };

    /// <summary>An app token bypassing the cache (MSAL's <c>WithForceRefresh</c> underneath).</summary>
    public static AuthorizationHeaderProviderOptions ForceRefresh { get; } = new()
    {
        RequestAppToken = true,
        AcquireTokenOptions = new AcquireTokenOptions { ForceRefresh = true },
    };

    /// <summary>Adds Identity.Web's token acquisition for the benchmark application to <paramref name="services"/>.</summary>
    public static IServiceCollection AddIdentityWeb(this IServiceCollection services, Uri authorityHost, Func<HttpMessageHandler> primaryHandler)
    {
        services.AddLogging();
        services.AddTokenAcquisition(isTokenAcquisitionSingleton: true);
        services.AddHttpClient(Options.DefaultName).ConfigurePrimaryHttpMessageHandler(primaryHandler);
        services.Configure<MicrosoftIdentityApplicationOptions>(o =>
        {
            o.Instance = authorityHost.AbsoluteUri;
            o.TenantId = Identities.Tenant;
            o.ClientId = Identities.ClientId;
            o.ClientCredentials = [new CredentialDescription { SourceType = CredentialSource.Certificate, Certificate = Identities.Certificate }];
        });
        services.AddInMemoryTokenCaches();
        return services;
    }

    /// <summary>A container of its own (its own token cache and HttpClient pool): a fresh Identity.Web client.</summary>
    public static ServiceProvider Create(Uri authorityHost, Func<HttpMessageHandler> primaryHandler) =>
        new ServiceCollection().AddIdentityWeb(authorityHost, primaryHandler).BuildServiceProvider();

    /// <summary>The access token of a "Bearer ..." header.</summary>
    public static string TokenOf(string header) =>
        header.StartsWith("Bearer ", StringComparison.Ordinal) ? header[7..] : throw new InvalidOperationException("Identity.Web returned a header that is not Bearer");
}
