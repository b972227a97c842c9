namespace CertCredentials;

/// <summary>
/// An access token and when it expires. <see cref="ToString"/> never shows the token; use <see cref="Token"/>.
/// </summary>
/// <param name="Token">The bearer token to send in the <c>Authorization</c> header.</param>
/// <param name="ExpiresOn">When the token expires (the server's <c>expires_in</c> from the moment it was requested).</param>
public readonly record struct AccessToken(string Token, DateTimeOffset ExpiresOn)
{
    /// <summary>When a background refresh of this token starts (the server's <c>refresh_in</c>, or part of its lifetime).</summary>
    public DateTimeOffset RefreshOn { get; init; }

    /// <summary>The token type, <c>Bearer</c>.</summary>
    public string TokenType { get; init; } = "Bearer";

    /// <summary>Describes the token without showing it.</summary>
    public override string ToString() =>
        $"AccessToken {{ TokenType = {TokenType}, ExpiresOn = {ExpiresOn:O}, RefreshOn = {RefreshOn:O}, Token = (hidden, {Token?.Length ?? 0} characters) }}";
}
