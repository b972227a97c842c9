namespace CertCredentials.Caching;

/// <summary>
/// Whether the disposal of a credential that stopped token requests under way was logged: once for the credential,
/// however many of its tenant and scope caches were acquiring (a shutdown is one event, not a failure per pair).
/// </summary>
internal sealed class DisposalNotice
{
    private int _told;

    /// <summary>True the first time only.</summary>
    public bool TryClaim() => Interlocked.Exchange(ref _told, 1) == 0;
}
