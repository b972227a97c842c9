namespace CertCredentials.Azure.DependencyInjection;

/// <summary>
/// Marks, on this thread, the credential whose Key Vault source is being configured, so that resolving the vault
/// credential does not resolve that very credential's own TokenCredential (which needs the certificate from the vault
/// first): the adapter's factory refuses instead of recursing into the credential's construction.
/// </summary>
internal static class VaultCredentialGuard
{
    [ThreadStatic]
    private static string? _configuring;

    /// <summary>Runs <paramref name="resolve"/> with <paramref name="credentialName"/> marked.</summary>
    public static T? While<T>(string credentialName, Func<T?> resolve)
    {
        var outer = _configuring;
        _configuring = credentialName;
        try
        {
            return resolve();
        }
        finally
        {
            _configuring = outer;
        }
    }

    /// <summary>Throws when the credential <paramref name="credentialName"/> is asking for its own TokenCredential as its vault credential.</summary>
    /// <exception cref="OwnTokenCredentialException">It is.</exception>
    public static void Check(string credentialName)
    {
        if (_configuring == credentialName)
        {
            throw new OwnTokenCredentialException();
        }
    }
}
