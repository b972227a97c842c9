using System.Security.Cryptography;
using Azure.Core;
using CertCredentials.Azure.KeyVault;

namespace CertCredentials.Azure;

/// <summary>
/// Signs client assertions with a Key Vault (or Managed HSM) key that never leaves the vault: the assertion's bytes
/// are hashed with SHA-256 here and the digest is signed by <c>POST {kid}/sign</c>, one request per token request.
/// Give it to <see cref="ClientCertificate.FromSigner"/> with the certificate of that key. A
/// <see cref="KeyVaultCertificateSource"/> makes one by itself for a certificate whose key is not exportable.
/// </summary>
/// <remarks>
/// Give the key's versioned identifier (<c>https://{vault}.vault.azure.net/keys/{name}/{version}</c>, the certificate's
/// <c>kid</c>): without a version the vault signs with its newest version, which after a rotation is no longer the
/// certificate's key (the credential then refuses the signature with
/// <see cref="CertificateCredentialFailure.KeyCertificateMismatch"/>). The vault credential needs the <c>keys sign</c>
/// permission, or with Azure RBAC the role Key Vault Crypto User. Thread-safe.
/// </remarks>
public sealed class KeyVaultKeySigner : ClientAssertionSigner
{
    private readonly KeyVaultRestClient _client;
    private readonly string? _context;

    /// <summary>A signer with the key <paramref name="keyId"/>, authenticated to its vault by <paramref name="vaultCredential"/>.</summary>
    /// <param name="keyId">The key's identifier, <c>https://{vault}/keys/{name}/{version}</c>.</param>
    /// <param name="vaultCredential">The vault's own credential (typically a managed identity), with <c>keys sign</c> on the vault.</param>
    /// <param name="options">Transport, retries and challenge verification; defaults when null.</param>
    /// <exception cref="ArgumentException"><paramref name="keyId"/> is not an https key identifier.</exception>
    public KeyVaultKeySigner(Uri keyId, TokenCredential vaultCredential, KeyVaultKeySignerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        ArgumentNullException.ThrowIfNull(vaultCredential);
        if (!keyId.IsAbsoluteUri || keyId.Scheme != Uri.UriSchemeHttps || keyId.Segments.Length is < 3 or > 4
            || !keyId.Segments[1].Equals("keys/", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException(
                $"'{keyId}' is not a Key Vault key identifier: give https://<vault>.vault.azure.net/keys/<name>/<version> (the certificate's kid).", nameof(keyId));
        }

        options ??= new KeyVaultKeySignerOptions();
        KeyId = keyId;
        _client = new KeyVaultRestClient(new Uri(keyId.GetLeftPart(UriPartial.Authority) + "/"), vaultCredential, options,
            verifyChallengeResource: !options.DisableChallengeResourceVerification);
    }

    /// <summary>A signer sharing a source's client (one challenge, one pipeline), with a note for its failures.</summary>
    internal KeyVaultKeySigner(KeyVaultRestClient client, Uri keyId, string? context)
    {
        _client = client;
        KeyId = keyId;
        _context = context;
    }

    /// <summary>The key's identifier.</summary>
    public Uri KeyId { get; }

    /// <summary>Hashes <paramref name="data"/> with SHA-256 and has the vault sign the digest with <paramref name="algorithm"/>.</summary>
    /// <param name="data">The assertion's signing input.</param>
    /// <param name="algorithm"><c>"RS256"</c> or <c>"PS256"</c>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The raw signature.</returns>
    /// <exception cref="CertificateCredentialException">
    /// <see cref="CertificateCredentialFailure.SigningFailed"/>: the vault could not be reached or refused (the message
    /// names the missing permission or role, a disabled or expired key), or the algorithm is not RS256 or PS256.
    /// </exception>
    public override async ValueTask<byte[]> SignAsync(ReadOnlyMemory<byte> data, string algorithm, CancellationToken cancellationToken)
    {
        if (algorithm is not (SigningAlgorithms.RS256 or SigningAlgorithms.PS256))
        {
            throw new CertificateCredentialException(CertificateCredentialFailure.SigningFailed,
                $"A Key Vault key signs client assertions with RS256 or PS256, not '{algorithm}'. Set SigningAlgorithm to one of them.");
        }

        var digest = SHA256.HashData(data.Span);
        try
        {
            return await _client.SignAsync(KeyId, algorithm, digest, cancellationToken).ConfigureAwait(false);
        }
        catch (KeyVaultRequestException e)
        {
            throw new CertificateCredentialException(CertificateCredentialFailure.SigningFailed,
                _context is null ? e.Message : $"{e.Message} ({_context})", e);
        }
    }

    /// <summary>The key's identifier (no secret).</summary>
    public override string ToString() => $"KeyVaultKeySigner {{ KeyId = {KeyId} }}";
}
