namespace CertCredentials.Lifecycle;

/// <summary>
/// A hold on one signing identity while an assertion is signed with it: the identity is not disposed before the lease
/// is, even when a newer one replaced it meanwhile. Dispose it exactly once (<c>using</c>).
/// </summary>
internal readonly struct IdentityLease : IDisposable
{
    public IdentityLease(SigningIdentity identity)
    {
        Identity = identity;
    }

    public SigningIdentity Identity { get; }

    public void Dispose() => Identity.Release();
}
