namespace CertCredentials.Lifecycle;

/// <summary>What one check of the key and certificate found.</summary>
internal enum ReloadOutcome
{
    /// <summary>The same certificate (or the same content): nothing changed.</summary>
    Unchanged,

    /// <summary>A new certificate was checked and replaced the old one.</summary>
    Switched,

    /// <summary>Reading failed for the first time; it is tried again at the next check before it is reported.</summary>
    Deferred,

    /// <summary>Reading failed again (reported once per distinct failure); the old certificate keeps serving.</summary>
    Failed,
}
