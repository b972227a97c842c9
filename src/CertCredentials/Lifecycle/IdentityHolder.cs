namespace CertCredentials.Lifecycle;

/// <summary>
/// The signing identity a credential uses now, swapped atomically when a checked new one arrives. Every assertion takes
/// one <see cref="Lease"/> and signs wholly with that identity (key and header), so none mixes an old key with a new
/// header; an identity swapped out is disposed when the last assertion signing with it is done.
/// </summary>
internal sealed class IdentityHolder : IDisposable
{
    private readonly Lock _gate = new();
    private SigningIdentity _current;
    private long _generation;
    private bool _disposed;

    public IdentityHolder(SigningIdentity first)
    {
        _current = first;
    }

    /// <summary>The identity now; read its descriptive values (thumbprint, subject, expiry) freely, sign only through <see cref="Lease"/>.</summary>
    public SigningIdentity Current => Volatile.Read(ref _current);

    /// <summary>How many swaps there were: tells a caller whether the identity changed since it last looked.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>Holds the current identity for one signature.</summary>
    /// <exception cref="CertificateCredentialException">The credential was disposed.</exception>
    public IdentityLease Lease()
    {
        while (true)
        {
            if (Volatile.Read(ref _disposed))
            {
                throw Disposed();
            }

            var identity = Volatile.Read(ref _current);
            if (identity.TryAcquire())
            {
                return new IdentityLease(identity);
            }

            // Replaced and released between the read and the hold: the next read finds its successor.
        }
    }

    /// <summary>Makes <paramref name="next"/> current and releases the one it replaces; false (nothing changed) once disposed.</summary>
    public bool Swap(SigningIdentity next)
    {
        SigningIdentity old;
        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }

            old = _current;
            Volatile.Write(ref _current, next);
            Interlocked.Increment(ref _generation);
        }

        old.Release();
        return true;
    }

    /// <summary>
    /// The current identity's RS256 signature of <see cref="SigningIdentity.StoreKeyLabel"/>, from which the shared token
    /// store derives its encryption key: computed once per identity (one remote call per rotation with a signer) and
    /// verified against the certificate. With the thumbprint it belongs to, since it changes with every rotation.
    /// </summary>
    public async Task<(CertificateThumbprint Thumbprint, byte[] Signature)> GetStoreKeySignatureAsync(CancellationToken cancellationToken)
    {
        using var lease = Lease();
        var signature = await lease.Identity.GetStoreKeySignatureAsync(cancellationToken).ConfigureAwait(false);
        return (lease.Identity.Thumbprint, signature);
    }

    public void Dispose()
    {
        SigningIdentity current;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            Volatile.Write(ref _disposed, true);
            current = _current;
        }

        current.Release();
    }

    private static CertificateCredentialException Disposed() =>
        new(CertificateCredentialFailure.Disposed, "The certificate credential was disposed, and its private key with it; create a new one.");
}
