using CertCredentials.Caching;

namespace CertCredentials;

/// <summary>
/// One tenant and scope of a <see cref="CertificateClientCredential"/>, resolved once by
/// <see cref="CertificateClientCredential.ForTenant(string, string)"/>. Keep it (in your per-customer record, or in a
/// field) and call <see cref="GetTokenAsync(CancellationToken)"/>: nothing is looked up by key on the way, so a cached
/// token stays near the cost of the credential's own <see cref="CertificateClientCredential.GetTokenAsync(CancellationToken)"/>
/// however many tenants the credential serves. A small value (a reference and a number): copy it freely. It works as
/// long as its credential does.
/// </summary>
public readonly struct TenantCredential : IEquatable<TenantCredential>
{
    private readonly TenantCaches? _caches;
    private readonly int _slot;

    internal TenantCredential(TenantCaches caches, int slot)
    {
        _caches = caches;
        _slot = slot;
    }

    /// <summary>The tenant, as checked (trimmed); empty for the default value.</summary>
    public string TenantId => _caches?.SettingsOf(_slot).TenantId ?? string.Empty;

    /// <summary>The scope, as checked (trimmed); empty for the default value.</summary>
    public string Scope => _caches?.SettingsOf(_slot).Scope ?? string.Empty;

    /// <summary>Whether two values stand for the same tenant and scope of the same credential.</summary>
    public static bool operator ==(TenantCredential left, TenantCredential right) => left.Equals(right);

    /// <summary>Whether two values stand for different tenants, scopes or credentials.</summary>
    public static bool operator !=(TenantCredential left, TenantCredential right) => !left.Equals(right);

    /// <summary>
    /// The access token of this tenant and scope: from the cache when valid (synchronously, without allocating),
    /// otherwise from one token request shared by all concurrent callers; a background refresh keeps it warm.
    /// </summary>
    /// <exception cref="CertificateCredentialException">No token could be obtained, or the credential was disposed.</exception>
    /// <exception cref="InvalidOperationException">This is the default value, not one from <see cref="CertificateClientCredential.ForTenant(string, string)"/>.</exception>
    public ValueTask<AccessToken> GetTokenAsync(CancellationToken cancellationToken = default)
    {
        var caches = _caches ?? throw new InvalidOperationException("This TenantCredential is the default value; get one from CertificateClientCredential.ForTenant(tenantId, scope).");

        // The hit is built here, once: passing a ValueTask of a 48-byte token up through one more call would copy it again.
        return caches.TryGetFresh(_slot, out var token) ? new ValueTask<AccessToken>(token) : caches.CacheOf(_slot).GetAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public bool Equals(TenantCredential other) => ReferenceEquals(_caches, other._caches) && _slot == other._slot;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is TenantCredential other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_caches, _slot);

    /// <summary>Names the tenant and scope; nothing secret.</summary>
    public override string ToString() => $"TenantCredential {{ TenantId = {TenantId}, Scope = {Scope} }}";
}
