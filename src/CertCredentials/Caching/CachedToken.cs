using CertCredentials.Configuration;
using CertCredentials.TokenEndpoint;

namespace CertCredentials.Caching;

/// <summary>
/// A token and the three moments that govern it: a background refresh starts at <see cref="RefreshAt"/>, it is
/// served until <see cref="UsableUntil"/> (expiry minus the margin), it truly expires at <c>Token.ExpiresOn</c>.
/// Immutable, so the hot path reads it with one volatile load and no lock.
/// </summary>
internal sealed class CachedToken
{
    private CachedToken(AccessToken token, DateTimeOffset acquiredAt, DateTimeOffset refreshAt, DateTimeOffset usableUntil)
    {
        Token = token;
        AcquiredAt = acquiredAt;
        RefreshAt = refreshAt;
        UsableUntil = usableUntil;
    }

    public AccessToken Token { get; }

    public DateTimeOffset AcquiredAt { get; }

    public DateTimeOffset RefreshAt { get; }

    public DateTimeOffset UsableUntil { get; }

    /// <summary>
    /// Lifetimes count from when the request was sent, not when the answer came: the conservative side. The margin is
    /// at most a quarter of the lifetime, so a short-lived token is still served for three quarters of its life and,
    /// with the default ratio, refreshed in the background from half of it: no caller waits even for 2-minute tokens.
    /// </summary>
    public static CachedToken From(TokenResponse response, DateTimeOffset requestedAt, CredentialSettings settings)
    {
        var expiresOn = requestedAt + response.ExpiresIn;
        var margin = TimeSpan.FromTicks(Math.Min(settings.ExpirationMargin.Ticks, response.ExpiresIn.Ticks / 4));
        var usableUntil = expiresOn - margin;
        var refreshAt = requestedAt + (response.RefreshIn ?? response.ExpiresIn * settings.RefreshRatio);
        if (refreshAt > usableUntil)
        {
            refreshAt = usableUntil;
        }

        return new CachedToken(new AccessToken(response.AccessToken, expiresOn) { RefreshOn = refreshAt }, requestedAt, refreshAt, usableUntil);
    }

    /// <summary>The same token with its next refresh attempt moved (after a failed refresh), never past its usable end.</summary>
    public CachedToken WithRefreshAt(DateTimeOffset refreshAt) =>
        new(Token, AcquiredAt, refreshAt < UsableUntil ? refreshAt : UsableUntil, UsableUntil);

    public override string ToString() => $"CachedToken {{ RefreshAt = {RefreshAt:O}, UsableUntil = {UsableUntil:O}, {Token} }}";
}
