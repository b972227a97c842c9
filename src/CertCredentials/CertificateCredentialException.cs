namespace CertCredentials;

/// <summary>
/// Every refusal and failure of this library. The message says what is wrong and how to fix it; it never holds a
/// private key, passphrase, client assertion or access token. <see cref="Failure"/> is the stable value to branch on.
/// </summary>
public class CertificateCredentialException : Exception
{
    /// <summary>Creates an exception for <paramref name="failure"/> with a message that explains it.</summary>
    public CertificateCredentialException(CertificateCredentialFailure failure, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
    }

    /// <summary>Creates an exception with an <see cref="CertificateCredentialFailure.InvalidOptions"/> failure.</summary>
    public CertificateCredentialException()
        : this(CertificateCredentialFailure.InvalidOptions, "The certificate credential failed.")
    {
    }

    /// <summary>Creates an exception with an <see cref="CertificateCredentialFailure.InvalidOptions"/> failure.</summary>
    public CertificateCredentialException(string message)
        : this(CertificateCredentialFailure.InvalidOptions, message)
    {
    }

    /// <summary>Creates an exception with an <see cref="CertificateCredentialFailure.InvalidOptions"/> failure.</summary>
    public CertificateCredentialException(string message, Exception? innerException)
        : this(CertificateCredentialFailure.InvalidOptions, message, innerException)
    {
    }

    /// <summary>What went wrong, as a stable value.</summary>
    public CertificateCredentialFailure Failure { get; }

    /// <summary>
    /// Whether trying again later may succeed without changing anything (the endpoint was down or throttling).
    /// Configuration and key problems are never retryable.
    /// </summary>
    public virtual bool IsRetryable => Failure == CertificateCredentialFailure.TokenEndpointUnavailable;
}
