namespace CertCredentials.Configuration;

/// <summary>
/// The options after validation, copied once: later changes to the options object do not reach a built credential.
/// </summary>
internal sealed record CredentialSettings(
    string TenantId,
    string ClientId,
    string Scope,
    Uri TokenEndpoint,
    string SigningAlgorithm,
    bool SendCertificateChain,
    TimeSpan ExpirationMargin,
    double RefreshRatio,
    int MaxRetries,
    TimeSpan RetryDelay,
    TimeSpan MaxRetryDelay,
    TimeSpan RequestTimeout,
    string? ClientCapabilitiesClaims)
{
    /// <summary>Validates and copies; throws one exception listing every problem.</summary>
    public static CredentialSettings From(CertificateClientCredentialOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = CredentialOptionsValidator.Validate(options);
        if (problems.Count > 0)
        {
            throw new CertificateCredentialException(CertificateCredentialFailure.InvalidOptions, CredentialOptionsValidator.Describe(problems));
        }

        return Create(options);
    }

    /// <summary>Copies options that were validated.</summary>
    private static CredentialSettings Create(CertificateClientCredentialOptions options)
    {
        var tenant = TokenEndpointAddress.EffectiveTenant(options);
        return new CredentialSettings(
            tenant,
            TokenEndpointAddress.WithoutBraces(options.ClientId.Trim()),
            options.Scope.Trim(),
            TokenEndpointAddress.For(options),
            options.SigningAlgorithm.Trim().ToUpperInvariant(),
            options.SendCertificateChain,
            options.ExpirationMargin,
            options.RefreshRatio,
            options.MaxRetries,
            options.RetryDelay,
            options.MaxRetryDelay,
            options.RequestTimeout,
            options.EnableContinuousAccessEvaluation ? ClientClaims.ContinuousAccessEvaluation : null);
    }

    /// <summary>
    /// The same application, key and timings for another tenant or scope, checked as the options are.
    /// <paramref name="authorityHost"/> is null when the options gave a whole TokenEndpoint, which fixes the tenant.
    /// </summary>
    public CredentialSettings For(string tenant, string scope, Uri? authorityHost)
    {
        // Domain names end at 253 characters and URLs in practice at 2,048: longer is not an ID, and is not echoed.
        if (tenant.Length > 253 || scope.Length > 2048)
        {
            throw new CertificateCredentialException(CertificateCredentialFailure.InvalidOptions,
                $"Asked for a tenant of {tenant.Length} characters and a scope of {scope.Length}: a tenant is a GUID or a domain name (at most 253 characters), a scope a resource's URI followed by /.default.");
        }

        var problems = new List<string>();
        if (authorityHost is null && !string.Equals(tenant.Trim(), TenantId, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"tenant {OptionText.Quote(tenant.Trim(), OptionKind.Tenant)} was asked for, but the options give a whole TokenEndpoint ({TokenEndpoint}), which fixes the tenant to '{TenantId}'. Set AuthorityHost instead of TokenEndpoint to get tokens from other tenants.");
        }

        var options = new CertificateClientCredentialOptions
        {
            TenantId = tenant,
            ClientId = ClientId,
            Scope = scope,
            AuthorityHost = authorityHost ?? AuthorityHosts.AzurePublicCloud,
            TokenEndpoint = authorityHost is null ? TokenEndpoint : null,
            SigningAlgorithm = SigningAlgorithm,
            SendCertificateChain = SendCertificateChain,
            ExpirationMargin = ExpirationMargin,
            RefreshRatio = RefreshRatio,
            MaxRetries = MaxRetries,
            RetryDelay = RetryDelay,
            MaxRetryDelay = MaxRetryDelay,
            RequestTimeout = RequestTimeout,
            EnableContinuousAccessEvaluation = ClientCapabilitiesClaims is not null,
        };
        problems.AddRange(CredentialOptionsValidator.Validate(options));
        if (problems.Count > 0)
        {
            throw new CertificateCredentialException(CertificateCredentialFailure.InvalidOptions,
                $"Tenant {OptionText.Quote(tenant, OptionKind.Tenant)} with scope {OptionText.Quote(scope, OptionKind.Scope)} cannot be served: " + string.Join(" ", problems));
        }

        // Validated once above: From would validate again.
        return Create(options);
    }
}
