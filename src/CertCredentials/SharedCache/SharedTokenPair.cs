using System.Security.Cryptography;
using CertCredentials.Caching;
using CertCredentials.Configuration;
using CertCredentials.TokenEndpoint;

namespace CertCredentials.SharedCache;

/// <summary>
/// The shared-store protocol of one tenant and scope, run inside the in-process cache's single flight (never on a
/// cached lookup): read the shared entry; when there is none usable, take the lease and request the token, then
/// write it and release; without the lease, wait for the holder's entry (a change notice, or polling as the floor)
/// and read again, taking the lease once a dead holder's lease expires, and requesting on its own once
/// <see cref="CredentialSettings.RequestTimeout"/> has passed. Forced refreshes and claims challenges request at once
/// and replace the entry; a rejected token is removed for everyone. Any store failure: the token is requested directly.
/// </summary>
internal sealed class SharedTokenPair
{
    /// <summary>The floor of waiting for another instance's entry when no change notice comes (lost, or a store that cannot notify).</summary>
    internal static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private readonly SharedTokenCache _shared;
    private readonly CredentialSettings _settings;
    private readonly string _identity;
    private EntryName? _name;
    private string? _rejected;
    private int _refusalReported;

    public SharedTokenPair(SharedTokenCache shared, CredentialSettings settings)
    {
        _shared = shared;
        _settings = settings;
        _identity = IdentityOf(settings);
    }

    /// <summary>
    /// What binds an entry: the endpoint (authority and tenant, or the explicit endpoint), the tenant, the client, the
    /// scope and the client capabilities claims. Host and tenant are case-insensitive, so they are lowered.
    /// </summary>
    internal static string IdentityOf(CredentialSettings settings) => string.Join('\n',
        "CertCredentials token v1",
        settings.TokenEndpoint.GetLeftPart(UriPartial.Authority).ToLowerInvariant() + settings.TokenEndpoint.AbsolutePath.ToLowerInvariant(),
        settings.TenantId.ToLowerInvariant(),
        settings.ClientId.ToLowerInvariant(),
        settings.Scope,
        settings.ClientCapabilitiesClaims ?? string.Empty);

    /// <summary>
    /// A token for the in-process cache: from the store (Response null), or requested through <paramref name="request"/>.
    /// </summary>
    /// <param name="claims">A claims challenge, or null.</param>
    /// <param name="isForced">A forced refresh: request now and replace the entry.</param>
    /// <param name="replacing">The token being refreshed (a store entry counts only when newer), or null.</param>
    /// <param name="request">Sends the token request.</param>
    /// <param name="cancellationToken">The cache's lifetime.</param>
    public async Task<(CachedToken Token, TokenResponse? Response)> AcquireAsync(string? claims, bool isForced, CachedToken? replacing,
        Func<string?, CancellationToken, Task<TokenResponse>> request, CancellationToken cancellationToken)
    {
        var keys = await _shared.KeysAsync(cancellationToken).ConfigureAwait(false);
        if (keys is null)
        {
            return await RequestAsync(null, claims, request, cancellationToken).ConfigureAwait(false);
        }

        var name = NameOf(keys);
        if (claims is not null || isForced)
        {
            return await RequestAsync((keys, name), claims, request, cancellationToken).ConfigureAwait(false);
        }

        var time = _shared.Time;
        var started = time.GetUtcNow();
        var leaseDuration = _settings.RequestTimeout;
        while (true)
        {
            var (read, stored) = await ReadAsync(keys, name, replacing, cancellationToken).ConfigureAwait(false);
            if (stored is not null)
            {
                return (stored, null);
            }

            if (!read)
            {
                return await RequestAsync(null, claims, request, cancellationToken).ConfigureAwait(false);
            }

            var fence = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
            var (answered, leased) = await _shared.CallAsync("lease",
                static (store, lease, token) => store.TryAcquireLeaseAsync(lease.name, lease.fence, lease.leaseDuration, token),
                (name, fence, leaseDuration), cancellationToken).ConfigureAwait(false);
            if (!answered)
            {
                return await RequestAsync(null, claims, request, cancellationToken).ConfigureAwait(false);
            }

            if (leased)
            {
                try
                {
                    // Someone may have written between the read and the lease (the previous holder, just released).
                    (_, stored) = await ReadAsync(keys, name, replacing, cancellationToken).ConfigureAwait(false);
                    return stored is not null
                        ? (stored, null)
                        : await RequestAsync((keys, name), claims, request, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    await _shared.CallAsync("release", static async (store, lease, token) =>
                    {
                        await store.ReleaseLeaseAsync(lease.name, lease.fence, token).ConfigureAwait(false);
                        return true;
                    }, (name, fence), CancellationToken.None).ConfigureAwait(false);
                }
            }

            var waited = time.GetUtcNow() - started;
            var left = _settings.RequestTimeout - waited;
            if (left <= TimeSpan.Zero)
            {
                SharedCacheLog.StoppedWaiting(_shared.Logger, _settings.Scope, waited.TotalSeconds);
                return await RequestAsync((keys, name), claims, request, cancellationToken).ConfigureAwait(false);
            }

            if (!await WaitForChangeAsync(name, left < PollInterval ? left : PollInterval, cancellationToken).ConfigureAwait(false))
            {
                return await RequestAsync(null, claims, request, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A resource rejected <paramref name="token"/>: never take it from the store again, and remove it there for everyone.</summary>
    public void Rejected(string token)
    {
        Volatile.Write(ref _rejected, token);
        _ = RemoveIfStillAsync(token);
    }

    private async Task RemoveIfStillAsync(string token)
    {
        try
        {
            var keys = await _shared.KeysAsync(CancellationToken.None).ConfigureAwait(false);
            if (keys is null)
            {
                return;
            }

            var name = NameOf(keys);
            var (answered, bytes) = await _shared.CallAsync("get", static (store, key, t) => store.GetAsync(key, t), name, CancellationToken.None).ConfigureAwait(false);
            if (answered && bytes is not null && SharedEntry.TryOpen(keys, _identity, bytes, out var opened, out _)
                && string.Equals(opened.AccessToken, token, StringComparison.Ordinal))
            {
                await _shared.CallAsync("remove", static async (store, key, t) =>
                {
                    await store.RemoveAsync(key, t).ConfigureAwait(false);
                    return true;
                }, name, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Best effort, in the background: the entry then expires by itself, and this instance never serves it again.
        }
    }

    /// <summary>
    /// Reads the entry: (true, token) when usable; (true, null) when absent, refused, not newer than
    /// <paramref name="replacing"/>, or no longer usable; (false, null) when the store failed.
    /// </summary>
    private async ValueTask<(bool Answered, CachedToken? Token)> ReadAsync(SharedEntryKeys keys, string name, CachedToken? replacing, CancellationToken cancellationToken)
    {
        var (answered, bytes) = await _shared.CallAsync("get", static (store, key, token) => store.GetAsync(key, token), name, cancellationToken).ConfigureAwait(false);
        if (!answered)
        {
            SharedTokenCache.CountRead("failed");
            return (false, null);
        }

        if (bytes is null)
        {
            SharedTokenCache.CountRead("miss");
            return (true, null);
        }

        if (!SharedEntry.TryOpen(keys, _identity, bytes, out var opened, out var reason))
        {
            SharedTokenCache.CountRead("refused");
            if (Interlocked.Exchange(ref _refusalReported, 1) == 0)
            {
                SharedCacheLog.EntryRefused(_shared.Logger, _settings.Scope, reason!);
            }

            return (true, null);
        }

        Volatile.Write(ref _refusalReported, 0);
        var cached = CachedToken.From(new TokenResponse(opened.AccessToken, opened.ExpiresIn, opened.RefreshIn, "shared", null), opened.AcquiredAt, _settings);
        var usable = _shared.Time.GetUtcNow() < cached.UsableUntil
                     && (replacing is null || cached.AcquiredAt > replacing.AcquiredAt)
                     && !string.Equals(opened.AccessToken, Volatile.Read(ref _rejected), StringComparison.Ordinal);
        SharedTokenCache.CountRead(usable ? "hit" : "miss");
        if (!usable)
        {
            return (true, null);
        }

        SharedCacheLog.TokenFromStore(_shared.Logger, _settings.Scope, cached.Token.ExpiresOn);
        return (true, cached);
    }

    /// <summary>Requests the token and, when <paramref name="entry"/> is given, writes it for the others (bounded; a failed write is only reported).</summary>
    private async Task<(CachedToken, TokenResponse?)> RequestAsync((SharedEntryKeys Keys, string Name)? entry, string? claims,
        Func<string?, CancellationToken, Task<TokenResponse>> request, CancellationToken cancellationToken)
    {
        var requestedAt = _shared.Time.GetUtcNow();
        var response = await request(claims, cancellationToken).ConfigureAwait(false);
        var cached = CachedToken.From(response, requestedAt, _settings);
        if (entry is { } e)
        {
            var timeToLive = cached.Token.ExpiresOn - _shared.Time.GetUtcNow();
            if (timeToLive > TimeSpan.Zero)
            {
                var bytes = SharedEntry.Seal(e.Keys, _identity, response.AccessToken, requestedAt, response.ExpiresIn, response.RefreshIn);
                await _shared.CallAsync("set", static async (store, write, token) =>
                {
                    await store.SetAsync(write.Name, write.bytes, write.timeToLive, token).ConfigureAwait(false);
                    return true;
                }, (e.Name, bytes, timeToLive), cancellationToken).ConfigureAwait(false);
            }
        }

        return (cached, response);
    }

    /// <summary>Waits for a change notice or <paramref name="wait"/>, whichever first; false when the store failed.</summary>
    private async ValueTask<bool> WaitForChangeAsync(string name, TimeSpan wait, CancellationToken cancellationToken)
    {
        var time = _shared.Time;
        var started = time.GetUtcNow();
        var (answered, notified) = await _shared.CallAsync("wait", static (store, change, token) => store.WaitForChangeAsync(change.name, change.wait, token),
            (name, wait), cancellationToken, wait + _shared.Timeout).ConfigureAwait(false);
        if (!answered)
        {
            return false;
        }

        var rest = wait - (time.GetUtcNow() - started);
        if (!notified && rest > TimeSpan.Zero)
        {
            await Task.Delay(rest, time, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    private string NameOf(SharedEntryKeys keys)
    {
        var known = Volatile.Read(ref _name);
        if (known is not null && ReferenceEquals(known.Keys, keys))
        {
            return known.Name;
        }

        var name = "t:" + keys.NameOf(_identity);
        Volatile.Write(ref _name, new EntryName(keys, name));
        return name;
    }

    /// <summary>The entry's name under the keys it was computed with (a rotation brings new keys, hence a new name).</summary>
    private sealed record EntryName(SharedEntryKeys Keys, string Name);
}
