using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertCredentials.Keys;

namespace CertCredentials;

/// <summary>
/// A certificate registered for the app, with what signs for it: a local RSA private key
/// (<see cref="FromPem"/>, <see cref="FromPkcs12"/>), or a <see cref="ClientAssertionSigner"/> for a key that never
/// leaves its store (<see cref="FromSigner"/>). What a <see cref="CertificateSource"/> returns. Disposing it disposes
/// the key and certificates it holds; <see cref="ToString"/> shows no secret.
/// </summary>
public sealed class ClientCertificate : IDisposable
{
    private readonly KeyMaterial? _key;
    private readonly X509Certificate2? _signerCertificate;
    private int _disposed;

    internal ClientCertificate(KeyMaterial key)
    {
        _key = key;
        Thumbprint = key.Thumbprint;
        Certificate = key.Certificate;
        Chain = key.Chain;
        Warnings = key.Warnings;
        PassphraseTrimmed = key.PassphraseTrimmed;
        KeySize = key.KeySize;
        Subject = key.CertificateSubject;
        NotAfter = key.CertificateNotAfter;
        Description = key.ToString();
    }

    private ClientCertificate(X509Certificate2 certificate, ClientAssertionSigner signer, int keySize)
    {
        _signerCertificate = certificate;
        Signer = signer;
        Thumbprint = CertificateThumbprint.Compute(certificate, ThumbprintAlgorithm.Sha256);
        Certificate = certificate;
        Chain = [certificate];
        Warnings = [];
        KeySize = keySize;
        Subject = certificate.Subject;
        NotAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        Description = $"RSA-{keySize} key held by {signer.GetType().Name}; certificate '{Subject}' valid until {NotAfter:yyyy-MM-dd HH:mm}Z; {Thumbprint}";
    }

    /// <summary>
    /// The thumbprint sent in the assertion header: SHA-256 of the certificate (<c>x5t#S256</c>), or the SHA-1 one
    /// given in <see cref="CertificateClientCredentialOptions.CertificateThumbprint"/> when only that is known.
    /// </summary>
    public CertificateThumbprint Thumbprint { get; }

    /// <summary>The certificate (its public part), or null when only its thumbprint is known. Disposed with this object.</summary>
    public X509Certificate2? Certificate { get; }

    /// <summary>The signer holding the key, or null for a local key.</summary>
    internal ClientAssertionSigner? Signer { get; }

    /// <summary>The local private key, or null when a signer holds it.</summary>
    internal RSA? PrivateKey => _key?.PrivateKey;

    /// <summary>The chain for the <c>x5c</c> header, leaf first; empty when no certificate is known.</summary>
    internal IReadOnlyList<X509Certificate2> Chain { get; }

    /// <summary>Things worth a warning log (a key file readable by others), none of them secret.</summary>
    internal IReadOnlyList<string> Warnings { get; }

    /// <summary>Whether the key decrypted only with the passphrase's surrounding whitespace removed (warned once by the credential).</summary>
    internal bool PassphraseTrimmed { get; }

    internal int KeySize { get; }

    internal string? Subject { get; }

    internal DateTimeOffset? NotAfter { get; }

    internal string Description { get; }

    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>
    /// Reads a private key and its certificate from PEM text, in every form the options read (PKCS#8, PKCS#1, encrypted,
    /// OpenSSL's legacy encryption, bundles in any order, pasted text with CRLF or literal <c>\n</c>) or base64 of a
    /// PKCS#12 file, with the same checks and refusals: one RSA key of 2048 bits or more that signs, and the
    /// certificate that matches it (which must be in the text).
    /// </summary>
    /// <param name="pem">The key and certificate.</param>
    /// <param name="passphrase">The passphrase of an encrypted key, or the password of a PKCS#12 file.</param>
    /// <exception cref="CertificateCredentialException">The text is unusable; the message says why and how to fix it, without the text.</exception>
    public static ClientCertificate FromPem(string pem, string? passphrase = null)
    {
        ArgumentNullException.ThrowIfNull(pem);
        return new ClientCertificate(KeyMaterialLoader.FromText(pem, passphrase, KeySource.FromPem));
    }

    /// <summary>
    /// Reads a PKCS#12 (.pfx/.p12) file's bytes (or bytes of its base64 text, or of a PEM bundle) with the same checks
    /// and refusals as the options: the key, the certificate that matches it, and its chain.
    /// </summary>
    /// <param name="pkcs12">The file's content.</param>
    /// <param name="password">Its password; null or empty for none.</param>
    /// <exception cref="CertificateCredentialException">The content is unusable; the message says why and how to fix it.</exception>
    public static ClientCertificate FromPkcs12(ReadOnlySpan<byte> pkcs12, string? password = null)
    {
        var bytes = pkcs12.ToArray();
        try
        {
            return new ClientCertificate(KeyMaterialLoader.FromBytes(bytes, password, KeySource.FromPkcs12));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>
    /// A certificate whose private key stays with <paramref name="signer"/> (Key Vault, an HSM, a KMS). Only the public
    /// part of <paramref name="certificate"/> is kept (a copy: the instance given stays the caller's). Before the
    /// credential uses it, one test signature from the signer must verify with the certificate's public key.
    /// </summary>
    /// <param name="certificate">The certificate registered for the app (an RSA key of 2048 bits or more).</param>
    /// <param name="signer">Signs with that certificate's private key.</param>
    /// <exception cref="CertificateCredentialException">The certificate has no RSA key of 2048 bits or more, or cannot be read.</exception>
    public static ClientCertificate FromSigner(X509Certificate2 certificate, ClientAssertionSigner signer)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(signer);
        var copy = KeyInputReader.LoadCertificate(certificate.RawDataMemory.Span, KeySource.FromSigner);
        try
        {
            using var publicKey = copy.GetRSAPublicKey() ?? throw KeyErrors.SignerCertificateWithoutRsaKey(KeySource.FromSigner, copy.PublicKey.Oid.FriendlyName ?? copy.PublicKey.Oid.Value);
            if (publicKey.KeySize < KeyMaterialLoader.MinimumKeySize)
            {
                throw KeyErrors.TooSmall(KeySource.FromSigner, publicKey.KeySize);
            }

            return new ClientCertificate(copy, signer, publicKey.KeySize);
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }

    /// <summary>Describes the certificate without any secret: key size and holder, subject, expiry, thumbprint.</summary>
    public override string ToString() => Description;

    /// <summary>Disposes the private key (a local one) and the certificates. The signer is the caller's and is left alone.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _key?.Dispose();
        _signerCertificate?.Dispose();
    }
}
