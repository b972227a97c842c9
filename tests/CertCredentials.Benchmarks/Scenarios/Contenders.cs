using CertCredentials.Benchmarks.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Identity.Abstractions;

namespace CertCredentials.Benchmarks.Scenarios;

/// <summary>A fresh client of one library (its own cache), reduced to "get me the token", and what to dispose.</summary>
internal sealed class Contender : IDisposable
{
    private readonly IDisposable? _owned;

    private Contender(Func<Task<string>> getToken, IDisposable? owned)
    {
        GetToken = getToken;
        _owned = owned;
    }

    public Func<Task<string>> GetToken { get; }

    public void Dispose() => _owned?.Dispose();

    public static readonly string[] Names = ["CertCredentials", "MSAL.NET", "Azure.Identity", "Microsoft.Identity.Web"];

    /// <summary>
    /// A new client of <paramref name="name"/> on <paramref name="http"/>, for the benchmark tenant and scope.
    /// Identity.Web takes its HttpClient from its own container's IHttpClientFactory: it gets a new one of the same kind.
    /// </summary>
    public static Contender Create(string name, LoopbackEndpoint endpoint, HttpClient http)
    {
        string[] scopes = [Identities.Scope];
        var authorityHost = endpoint.AuthorityHost;
        switch (name)
        {
            case "CertCredentials":
                var ours = Clients.CreateCertCredential(authorityHost, Identities.Tenant, Identities.Scope, http);
                return new Contender(async () => (await ours.GetTokenAsync()).Token, ours);
            case "MSAL.NET":
                var msal = Clients.CreateMsal(authorityHost, Identities.Tenant, http);
                return new Contender(async () => (await msal.AcquireTokenForClient(scopes).ExecuteAsync()).AccessToken, null);
            case "Azure.Identity":
                var azure = Clients.CreateAzureIdentity(authorityHost, Identities.Tenant, http);
                var context = new global::Azure.Core.TokenRequestContext(scopes);
                return new Contender(async () => (await azure.GetTokenAsync(context, CancellationToken.None)).Token, null);
            case "Microsoft.Identity.Web":
                var services = IdentityWeb.Create(authorityHost, () => Clients.LoopbackHandler(endpoint.HttpsCertificate));
                var headers = services.GetRequiredService<IAuthorizationHeaderProvider>();
                return new Contender(async () => IdentityWeb.TokenOf(await headers.CreateAuthorizationHeaderForAppAsync(Identities.Scope, IdentityWeb.ForApp)), services);
            default:
                throw new ArgumentOutOfRangeException(nameof(name), name, "unknown contender");
        }
    }
}
