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

        var tenant = TokenEndpointAddress.EffectiveTenant(options);
        return new CredentialSettings(
            tenant,
            options.ClientId.Trim(),
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
}
