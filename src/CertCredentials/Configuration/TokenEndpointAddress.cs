namespace CertCredentials.Configuration;

/// <summary>The token endpoint URL: explicit, or <c>{authority host}/{tenant}/oauth2/v2.0/token</c>.</summary>
internal static class TokenEndpointAddress
{
    private const string CiamSuffix = ".ciamlogin.com";

    public static string EffectiveTenant(CertificateClientCredentialOptions options)
    {
        var tenant = WithoutBraces(options.TenantId?.Trim() ?? string.Empty);
        if (tenant.Length == 0 && options.AuthorityHost is { } host && host.Host.EndsWith(CiamSuffix, StringComparison.OrdinalIgnoreCase))
        {
            // External ID: the tenant defaults to the subdomain's onmicrosoft.com name.
            return host.Host[..^CiamSuffix.Length] + ".onmicrosoft.com";
        }

        return tenant;
    }

    /// <summary>
    /// A GUID as PowerShell prints it, in braces (<c>{11111111-...}</c>), without them: Entra knows the tenant or
    /// application only by the bare GUID. Anything else is returned as it is.
    /// </summary>
    public static string WithoutBraces(string id) =>
        id.Length == 38 && id[0] == '{' && id[^1] == '}' && Guid.TryParseExact(id, "B", out _) ? id[1..^1] : id;

    public static Uri For(CertificateClientCredentialOptions options)
    {
        if (options.TokenEndpoint is { } explicitEndpoint)
        {
            return explicitEndpoint;
        }

        var host = options.AuthorityHost.GetLeftPart(UriPartial.Authority);
        return new Uri($"{host}/{Uri.EscapeDataString(EffectiveTenant(options))}/oauth2/v2.0/token");
    }
}
