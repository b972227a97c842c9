namespace CertCredentials;

/// <summary>
/// What went wrong, as a stable value to branch on. The exception message explains it in words; this never changes
/// for a given cause, so code may rely on it where it must not rely on message text.
/// </summary>
public enum CertificateCredentialFailure
{
    /// <summary>The options are incomplete or contradictory (tenant, client ID, scope, endpoint, algorithm, timings).</summary>
    InvalidOptions = 1,

    /// <summary>No private key was given, or the input holds none.</summary>
    PrivateKeyMissing,

    /// <summary>The input is not a readable key or certificate: not PEM, not PKCS#12, corrupt or truncated.</summary>
    PrivateKeyUnreadable,

    /// <summary>The key is not RSA (EC, Ed25519, DSA...). Entra client assertions need an RSA key.</summary>
    PrivateKeyNotRsa,

    /// <summary>The RSA key is shorter than 2048 bits; Entra refuses it (AADSTS50032).</summary>
    PrivateKeyTooSmall,

    /// <summary>The key or PKCS#12 file is encrypted and no passphrase was given.</summary>
    PassphraseRequired,

    /// <summary>The passphrase given does not decrypt the key or PKCS#12 file.</summary>
    PassphraseIncorrect,

    /// <summary>The key is encrypted with a scheme this library cannot decrypt (scrypt, for example).</summary>
    EncryptionUnsupported,

    /// <summary>A certificate was given where a private key is needed, and no key came with it.</summary>
    CertificateWithoutPrivateKey,

    /// <summary>The private key does not belong to the certificate given beside it.</summary>
    KeyCertificateMismatch,

    /// <summary>The certificate input is unreadable.</summary>
    CertificateUnreadable,

    /// <summary>The thumbprint text is not a SHA-1 or SHA-256 thumbprint in any known form.</summary>
    ThumbprintInvalid,

    /// <summary>The thumbprint given is not the given certificate's.</summary>
    ThumbprintMismatch,

    /// <summary>Neither a certificate nor a thumbprint was given, so Entra could not find the key.</summary>
    ThumbprintMissing,

    /// <summary>A key or certificate file is missing, is a directory or cannot be read.</summary>
    FileUnreadable,

    /// <summary>The token endpoint refused the request (an OAuth error such as AADSTS700027).</summary>
    TokenRequestRejected,

    /// <summary>The token endpoint could not be reached or kept failing transiently (timeouts, 5xx, 429).</summary>
    TokenEndpointUnavailable,

    /// <summary>The token endpoint answered with something that is not a usable token response.</summary>
    InvalidTokenResponse,

    /// <summary>The credential was disposed.</summary>
    Disposed,

    /// <summary>A <see cref="ClientAssertionSigner"/> threw, timed out (RequestTimeout) or returned no signature.</summary>
    SigningFailed,

    /// <summary>A <see cref="CertificateSource"/> threw or timed out (RequestTimeout) instead of giving a certificate.</summary>
    CertificateSourceFailed,
}
