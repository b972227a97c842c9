using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertCredentials.Lifecycle;

/// <summary>
/// One certificate and what signs for it (a local RSA key or a <see cref="ClientAssertionSigner"/>), immutable once
/// checked. Counted references keep it alive while assertions are signed with it: the holder owns one, each
/// <see cref="IdentityLease"/> another; the last release disposes the <see cref="ClientCertificate"/>.
/// </summary>
internal sealed class SigningIdentity
{
    /// <summary>
    /// What the shared token store has signed to derive its encryption key (RS256, deterministic): a fixed label, so
    /// every instance holding the same certificate derives the same key and nothing else can.
    /// </summary>
    public static readonly byte[] StoreKeyLabel = "CertCredentials shared token store: entry keys, version 1"u8.ToArray();

    private readonly ClientCertificate _certificate;
    private readonly RSA? _privateKey;
    private readonly ClientAssertionSigner? _signer;
    private readonly RSA? _publicKey;
    private readonly string _algorithm;
    private readonly RSASignaturePadding _padding;
    private readonly TimeSpan _signingTimeout;
    private readonly TimeProvider _time;
    private int _references = 1;
    private Task<byte[]>? _storeKeySignature;

    private SigningIdentity(ClientCertificate certificate, IdentitySettings settings)
    {
        _certificate = certificate;
        _privateKey = certificate.PrivateKey;
        _signer = certificate.Signer;
        _algorithm = settings.Algorithm;
        _padding = settings.Algorithm == SigningAlgorithms.PS256 ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
        _signingTimeout = settings.SigningTimeout;
        _time = settings.Time;
        if (_signer is not null)
        {
            // Every remote signature is checked with this before it is sent.
            _publicKey = certificate.Certificate!.GetRSAPublicKey();
        }
    }

    /// <summary>The certificate as the source gave it (the reloader compares instances).</summary>
    public ClientCertificate Certificate => _certificate;

    public CertificateThumbprint Thumbprint => _certificate.Thumbprint;

    /// <summary>The chain for the <c>x5c</c> header, leaf first; empty when only a thumbprint is known. Read only under a lease.</summary>
    public IReadOnlyList<X509Certificate2> Chain => _certificate.Chain;

    public string? Subject => _certificate.Subject;

    public DateTimeOffset? NotAfter => _certificate.NotAfter;

    public IReadOnlyList<string> Warnings => _certificate.Warnings;

    /// <summary>Whether a signer (perhaps remote) holds the key: signing may then take a while, and is not synchronous.</summary>
    public bool IsRemote => _signer is not null;

    /// <summary>The local key (for tests of its disposal); null with a signer.</summary>
    internal RSA? PrivateKey => _privateKey;

    /// <summary>Whether the last reference was released and the key disposed (for tests).</summary>
    internal bool IsDisposed => Volatile.Read(ref _references) == 0;

    /// <summary>An identity with a local key: nothing remote to check (the key was test-signed when read).</summary>
    public static SigningIdentity ForLocalKey(ClientCertificate certificate, IdentitySettings settings)
    {
        if (certificate.Signer is not null)
        {
            throw new InvalidOperationException("A certificate with a signer is checked asynchronously: use CreateAsync.");
        }

        return new SigningIdentity(certificate, settings);
    }

    /// <summary>
    /// Checks <paramref name="certificate"/> fully before it may replace anything: a signer must give one signature
    /// that verifies with the certificate (it is kept as the store key signature, so the check costs no extra call).
    /// The caller keeps ownership of <paramref name="certificate"/> when this throws.
    /// </summary>
    public static async Task<SigningIdentity> CreateAsync(ClientCertificate certificate, IdentitySettings settings, CancellationToken cancellationToken)
    {
        if (certificate.IsDisposed)
        {
            throw new CertificateCredentialException(CertificateCredentialFailure.CertificateSourceFailed,
                $"The certificate source returned a ClientCertificate that was already disposed ({certificate.Thumbprint}). Return a new ClientCertificate for each load, or the same one while it is in use.");
        }

        var identity = new SigningIdentity(certificate, settings);
        if (identity.IsRemote)
        {
            try
            {
                await identity.GetStoreKeySignatureAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                identity._publicKey?.Dispose();
                throw;
            }
        }

        return identity;
    }

    /// <summary>Signs the assertion's signing input with this identity's key, with the credential's algorithm.</summary>
    public ValueTask<byte[]> SignAsync(byte[] data, CancellationToken cancellationToken) =>
        _privateKey is { } key ? new ValueTask<byte[]>(SignLocally(key, data, _padding)) : new ValueTask<byte[]>(SignRemotelyAsync(data, _algorithm, _padding, cancellationToken));

    /// <summary>Signs with the local key, synchronously.</summary>
    /// <exception cref="InvalidOperationException">A signer holds the key: use <see cref="SignAsync"/>.</exception>
    public byte[] SignLocally(byte[] data) =>
        SignLocally(_privateKey ?? throw new InvalidOperationException("A signer holds this key: sign with SignAsync."), data, _padding);

    /// <summary>The RS256 signature of <see cref="StoreKeyLabel"/>: made once (a failure is not kept), a copy per caller.</summary>
    public async Task<byte[]> GetStoreKeySignatureAsync(CancellationToken cancellationToken)
    {
        var task = Volatile.Read(ref _storeKeySignature);
        if (task is null || task.IsFaulted || task.IsCanceled)
        {
            var made = _privateKey is { } key
                ? Task.FromResult(SignLocally(key, StoreKeyLabel, RSASignaturePadding.Pkcs1))
                : SignRemotelyAsync(StoreKeyLabel, SigningAlgorithms.RS256, RSASignaturePadding.Pkcs1, CancellationToken.None);
            var seen = Interlocked.CompareExchange(ref _storeKeySignature, made, task);
            task = ReferenceEquals(seen, task) ? made : seen!;
        }

        var signature = await task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return [.. signature];
    }

    /// <summary>Takes a reference; false once the last one was released (the identity is disposed).</summary>
    public bool TryAcquire()
    {
        var count = Volatile.Read(ref _references);
        while (count > 0)
        {
            var seen = Interlocked.CompareExchange(ref _references, count + 1, count);
            if (seen == count)
            {
                return true;
            }

            count = seen;
        }

        return false;
    }

    /// <summary>Drops a reference; the last one disposes the key and certificates.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            _publicKey?.Dispose();
            _certificate.Dispose();
        }
    }

    public override string ToString() => _certificate.Description;

    private static byte[] SignLocally(RSA key, byte[] data, RSASignaturePadding padding)
    {
        try
        {
            return key.SignData(data, HashAlgorithmName.SHA256, padding);
        }
        catch (CryptographicException e)
        {
            throw new CertificateCredentialException(CertificateCredentialFailure.SigningFailed,
                $"The private key could not sign the client assertion ({e.GetType().Name}). Check the key; if it lives in a key store, that the store is reachable.", e);
        }
    }

    /// <summary>
    /// One call to the signer, bounded by RequestTimeout even when it ignores cancellation, and verified against the
    /// certificate's public key so a wrong key or garbage is refused here instead of by Entra (AADSTS700027).
    /// </summary>
    private async Task<byte[]> SignRemotelyAsync(byte[] data, string algorithm, RSASignaturePadding padding, CancellationToken cancellationToken)
    {
        var name = _signer!.GetType().Name;
        var signature = await BoundedCall.RunAsync(token => _signer.SignAsync(data, algorithm, token), _signingTimeout, _time, CertificateCredentialFailure.SigningFailed,
            $"The signer {name} did not sign within RequestTimeout ({_signingTimeout.TotalSeconds:0.#} s) for the certificate {Thumbprint}. Check that its key store is reachable, or raise RequestTimeout.",
            type => $"The signer {name} failed to sign for the certificate {Thumbprint} ({type}; see InnerException).",
            discardLate: null, cancellationToken).ConfigureAwait(false);

        if (signature is null || signature.Length == 0 || !Verifies(data, signature, padding))
        {
            var what = signature is null || signature.Length == 0 ? "no signature" : $"{signature.Length} bytes that do not verify as a {algorithm} signature";
            throw new CertificateCredentialException(CertificateCredentialFailure.KeyCertificateMismatch,
                $"The signer {name} returned {what} with the public key of the certificate '{Subject}' ({Thumbprint}). " +
                "Its key is not this certificate's, or it signs with another algorithm: give the signer of the key this certificate was made for.");
        }

        return signature;
    }

    private bool Verifies(byte[] data, byte[] signature, RSASignaturePadding padding)
    {
        try
        {
            return _publicKey!.VerifyData(data, signature, HashAlgorithmName.SHA256, padding);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
