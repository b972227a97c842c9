namespace CertCredentials.Azure.DependencyInjection;

/// <summary>The TokenCredential in the container is the credential's own adapter, so it cannot read that credential's vault.</summary>
internal sealed class OwnTokenCredentialException : Exception
{
    public OwnTokenCredentialException()
        : base("The TokenCredential registered is the certificate credential's own.")
    {
    }

    public OwnTokenCredentialException(string message)
        : base(message)
    {
    }

    public OwnTokenCredentialException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
