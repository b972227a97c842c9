namespace CertCredentials.Lifecycle;

/// <summary>
/// The options a running credential cannot change in place, as it was built with them: who it is (TenantId, ClientId,
/// Scope), where it asks (AuthorityHost, TokenEndpoint), how it signs (SigningAlgorithm, SendCertificateChain) and the
/// timings of its caches and retries. Every cache, endpoint and assertion audience was built from them; changing them
/// under callers would mix tokens of two configurations. The key inputs and CertificateReloadInterval are not here:
/// they apply in place.
/// </summary>
internal sealed record RestartBoundOptions(
    string TenantId,
    string ClientId,
    string Scope,
    Uri? AuthorityHost,
    Uri? TokenEndpoint,
    string SigningAlgorithm,
    bool SendCertificateChain,
    TimeSpan ExpirationMargin,
    double RefreshRatio,
    int MaxRetries,
    TimeSpan RetryDelay,
    TimeSpan MaxRetryDelay,
    TimeSpan RequestTimeout,
    bool EnableContinuousAccessEvaluation)
{
    public static RestartBoundOptions From(CertificateClientCredentialOptions o) =>
        new((o.TenantId ?? string.Empty).Trim(), (o.ClientId ?? string.Empty).Trim(), (o.Scope ?? string.Empty).Trim(), o.AuthorityHost, o.TokenEndpoint,
            (o.SigningAlgorithm ?? string.Empty).Trim().ToUpperInvariant(), o.SendCertificateChain, o.ExpirationMargin, o.RefreshRatio, o.MaxRetries,
            o.RetryDelay, o.MaxRetryDelay, o.RequestTimeout, o.EnableContinuousAccessEvaluation);

    /// <summary>The names of the options that differ in <paramref name="options"/> (spelling differences that mean the same are not changes).</summary>
    public IReadOnlyList<string> ChangedIn(CertificateClientCredentialOptions options)
    {
        var next = From(options);
        var changed = new List<string>();
        Add(!string.Equals(TenantId, next.TenantId, StringComparison.OrdinalIgnoreCase), nameof(TenantId));
        Add(!string.Equals(ClientId, next.ClientId, StringComparison.OrdinalIgnoreCase), nameof(ClientId));
        Add(Scope != next.Scope, nameof(Scope));
        Add(AuthorityHost != next.AuthorityHost, nameof(AuthorityHost));
        Add(TokenEndpoint != next.TokenEndpoint, nameof(TokenEndpoint));
        Add(SigningAlgorithm != next.SigningAlgorithm, nameof(SigningAlgorithm));
        Add(SendCertificateChain != next.SendCertificateChain, nameof(SendCertificateChain));
        Add(ExpirationMargin != next.ExpirationMargin, nameof(ExpirationMargin));
        Add(!RefreshRatio.Equals(next.RefreshRatio), nameof(RefreshRatio));
        Add(MaxRetries != next.MaxRetries, nameof(MaxRetries));
        Add(RetryDelay != next.RetryDelay, nameof(RetryDelay));
        Add(MaxRetryDelay != next.MaxRetryDelay, nameof(MaxRetryDelay));
        Add(RequestTimeout != next.RequestTimeout, nameof(RequestTimeout));
        Add(EnableContinuousAccessEvaluation != next.EnableContinuousAccessEvaluation, nameof(EnableContinuousAccessEvaluation));
        return changed;

        void Add(bool differs, string name)
        {
            if (differs)
            {
                changed.Add(name);
            }
        }
    }
}
