using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Azure.Core.Pipeline;
using Azure.Identity;
using Microsoft.Identity.Client;

namespace CertCredentials.Benchmarks.Infrastructure;

/// <summary>
/// Builds the three contenders the same way: same certificate and key, same token endpoint, same kind of
/// <see cref="HttpClient"/> (a <see cref="SocketsHttpHandler"/> that trusts the loopback HTTPS certificate).
/// </summary>
internal static class Clients
{
    /// <summary>Entra's public authority host: only ever answered by <see cref="InProcessTokenEndpoint"/>.</summary>
    public static readonly Uri EntraHost = new("https://login.microsoftonline.com/");

    /// <summary>An HttpClient for the loopback service: trusts exactly its HTTPS certificate, follows no redirects.</summary>
    public static HttpClient ForLoopback(X509Certificate2? httpsCertificate) =>
        new(LoopbackHandler(httpsCertificate)) { Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>
    /// The handler of <see cref="ForLoopback"/>. It connects to 127.0.0.1 whatever the host: MSAL under
    /// Identity.Web (which cannot turn instance discovery off) asks https://login.microsoftonline.com:{port}/common/discovery/instance
    /// for an authority it does not know, and that request must reach the loopback service, never leave the machine.
    /// </summary>
    public static SocketsHttpHandler LoopbackHandler(X509Certificate2? httpsCertificate)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(15),
            ConnectCallback = ConnectToLoopbackAsync,
        };
        if (httpsCertificate is not null)
        {
            var thumbprint = httpsCertificate.GetCertHashString();
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is not null && string.Equals(certificate.GetCertHashString(), thumbprint, StringComparison.Ordinal),
            };
        }

        return handler;
    }

    private static async ValueTask<Stream> ConnectToLoopbackAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>CertCredentials for a tenant and scope; the endpoint is {authorityHost}/{tenant}/oauth2/v2.0/token.</summary>
    public static CertificateClientCredential CreateCertCredential(Uri authorityHost, string tenant, string scope, HttpClient httpClient,
                                                                   SharedTokenStore? sharedTokenStore = null)
    {
        var options = CertCredentialOptions(tenant, scope);
        options.TokenEndpoint = new Uri(authorityHost, $"{tenant}/oauth2/v2.0/token");
        options.SharedTokenStore = sharedTokenStore;
        return new(options, httpClient);
    }

    /// <summary>One CertCredentials credential for every tenant and scope (<c>GetTokenAsync(tenant, scope)</c>): the authority host, not a fixed endpoint.</summary>
    public static CertificateClientCredential CreateCertCredentialForAnyTenant(Uri authorityHost, string tenant, string scope, HttpClient httpClient)
    {
        var options = CertCredentialOptions(tenant, scope);
        options.AuthorityHost = authorityHost;
        return new(options, httpClient);
    }

    private static CertificateClientCredentialOptions CertCredentialOptions(string tenant, string scope) => new()
    {
        TenantId = tenant,
        ClientId = Identities.ClientId,
        Scope = scope,
        PrivateKey = Identities.KeyPem,
        Certificate = Identities.CertificatePem,
    };

    /// <summary>
    /// MSAL.NET as its docs show it for a daemon, pointed at the authority without instance discovery (which would
    /// ask login.microsoftonline.com) and with our HttpClient. The certificate is sent by thumbprint only.
    /// </summary>
    public static IConfidentialClientApplication CreateMsal(Uri authorityHost, string tenant, HttpClient httpClient) =>
        ConfidentialClientApplicationBuilder.Create(Identities.ClientId)
            .WithAuthority(new Uri(authorityHost, tenant).AbsoluteUri, validateAuthority: false)
            .WithInstanceDiscovery(false)
            .WithCertificate(Identities.Certificate, sendX5C: false)
            .WithHttpClientFactory(new FixedHttpClientFactory(httpClient))
            .Build();

    /// <summary>
    /// Azure.Identity's ClientCertificateCredential (MSAL underneath), on the same HttpClient. With
    /// <paramref name="anyTenant"/>, one credential serves every tenant (TokenRequestContext.TenantId), its
    /// multi-tenant mode.
    /// </summary>
    public static ClientCertificateCredential CreateAzureIdentity(Uri authorityHost, string tenant, HttpClient httpClient, bool anyTenant = false)
    {
        var options = new ClientCertificateCredentialOptions
        {
            AuthorityHost = authorityHost,
            DisableInstanceDiscovery = true,
            Transport = new HttpClientTransport(httpClient),
        };
        if (anyTenant)
        {
            options.AdditionallyAllowedTenants.Add("*");
        }

        return new ClientCertificateCredential(tenant, Identities.ClientId, Identities.Certificate, options);
    }

    private sealed class FixedHttpClientFactory(HttpClient client) : IMsalHttpClientFactory
    {
        public HttpClient GetHttpClient() => client;
    }
}
