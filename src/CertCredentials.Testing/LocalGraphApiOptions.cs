using System.Security.Cryptography.X509Certificates;

namespace CertCredentials.Testing;

/// <summary>Settings of a <see cref="LocalGraphApi"/>. Read once by <see cref="LocalGraphApi.StartAsync"/>.</summary>
public sealed class LocalGraphApiOptions
{
    /// <summary>TCP port to listen on; 0 (the default) picks a free port. The API always binds 127.0.0.1 only.</summary>
    public int Port { get; set; }

    /// <summary>
    /// The certificate the API serves HTTPS with (it needs its private key). When null, a self-signed certificate for
    /// 127.0.0.1 made in code is used (one per process); <see cref="LocalGraphApi.CreateHttpMessageHandler"/> trusts it.
    /// </summary>
    public X509Certificate2? HttpsCertificate { get; set; }

    /// <summary>The resource whose tokens the API accepts (their <c>aud</c>). Default <c>https://graph.microsoft.com</c>.</summary>
    public string Resource { get; set; } = LocalGraphApi.DefaultResource;

    /// <summary>The organization's <c>displayName</c>. Default <c>Contoso</c>.</summary>
    public string OrganizationDisplayName { get; set; } = "Contoso";

    /// <summary>
    /// The organization's initial (and default) verified domain, also the domain of the sample users. When null:
    /// the tenant when it is a domain name, else <c>contoso.onmicrosoft.com</c>.
    /// </summary>
    public string? InitialDomain { get; set; }

    /// <summary>
    /// The users <c>GET /v1.0/users</c> lists, in this order. When null (the default): three sample users (Adele
    /// Vance, Alex Wilber, Megan Bowen) at <see cref="InitialDomain"/>; an empty list for none.
    /// </summary>
    public IReadOnlyList<LocalGraphUser>? Users { get; set; }

    /// <summary>
    /// When true, the API checks application permissions as Microsoft Graph does: a token without a suitable role
    /// (<see cref="AccessTokenSettings.Roles"/>) gets 403 <c>Authorization_RequestDenied</c>. Organization:
    /// <c>Organization.Read.All</c>, <c>Organization.ReadWrite.All</c>, <c>Directory.Read.All</c> or
    /// <c>Directory.ReadWrite.All</c>; users: <c>User.Read.All</c>, <c>User.ReadWrite.All</c>,
    /// <c>User.ReadBasic.All</c>, <c>Directory.Read.All</c> or <c>Directory.ReadWrite.All</c>. Default false: any
    /// valid token may read.
    /// </summary>
    public bool RequireApplicationPermissions { get; set; }

    /// <summary>How many requests <see cref="LocalGraphApi.Requests"/> keeps (the oldest are dropped). Default 10,000.</summary>
    public int MaxRecordedRequests { get; set; } = 10_000;
}
