namespace CertCredentials.TokenEndpoint;

/// <summary>A successful token response, its lifetimes already clamped to sane values.</summary>
internal sealed record TokenResponse(
    string AccessToken,
    TimeSpan ExpiresIn,
    TimeSpan? RefreshIn,
    string CorrelationId,
    string? ClampedExpiresIn)
{
    /// <summary>Never shows the token.</summary>
    public override string ToString() => $"TokenResponse {{ ExpiresIn = {ExpiresIn}, RefreshIn = {RefreshIn}, CorrelationId = {CorrelationId} }}";
}
