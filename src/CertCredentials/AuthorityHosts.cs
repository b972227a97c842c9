namespace CertCredentials;

/// <summary>The Entra authority hosts of the national clouds, and External ID's.</summary>
public static class AuthorityHosts
{
    /// <summary>The public cloud: <c>https://login.microsoftonline.com</c>.</summary>
    public static readonly Uri AzurePublicCloud = new("https://login.microsoftonline.com");

    /// <summary>US Government (GCC High, DoD): <c>https://login.microsoftonline.us</c>.</summary>
    public static readonly Uri AzureGovernment = new("https://login.microsoftonline.us");

    /// <summary>China, operated by 21Vianet: <c>https://login.partner.microsoftonline.cn</c>.</summary>
    public static readonly Uri AzureChina = new("https://login.partner.microsoftonline.cn");

    /// <summary>
    /// A Microsoft Entra External ID (CIAM) tenant's host, <c>https://{subdomain}.ciamlogin.com</c>. With it, an empty
    /// <see cref="CertificateClientCredentialOptions.TenantId"/> defaults to <c>{subdomain}.onmicrosoft.com</c>.
    /// </summary>
    public static Uri ExternalId(string subdomain)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subdomain);
        return new Uri($"https://{subdomain}.ciamlogin.com");
    }
}
