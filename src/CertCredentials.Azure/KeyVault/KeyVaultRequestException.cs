namespace CertCredentials.Azure.KeyVault;

/// <summary>
/// A Key Vault request that failed, with a message that says what to fix (never a secret: Key Vault's own messages
/// name permissions, callers and objects, not values). The public source and signer wrap it in a
/// <see cref="CertificateCredentialException"/>.
/// </summary>
internal sealed class KeyVaultRequestException : Exception
{
    public KeyVaultRequestException(KeyVaultFailureKind kind, int status, string? errorCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        Status = status;
        ErrorCode = errorCode;
    }

    public KeyVaultRequestException()
        : this(KeyVaultFailureKind.Unexpected, 0, null, "The Key Vault request failed.")
    {
    }

    public KeyVaultRequestException(string message)
        : this(KeyVaultFailureKind.Unexpected, 0, null, message)
    {
    }

    public KeyVaultRequestException(string message, Exception innerException)
        : this(KeyVaultFailureKind.Unexpected, 0, null, message, innerException)
    {
    }

    public KeyVaultFailureKind Kind { get; }

    /// <summary>The HTTP status, 0 when there was no answer.</summary>
    public int Status { get; }

    /// <summary>Key Vault's inner error code when it sent one (<c>SecretDisabled</c>, <c>ForbiddenByRbac</c>), else its error code.</summary>
    public string? ErrorCode { get; }
}
