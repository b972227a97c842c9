namespace CertCredentials;

/// <summary>
/// Signs client assertions with a private key that stays elsewhere: Azure Key Vault or Managed HSM, an HSM through
/// PKCS#11, a cloud KMS, a smart card. Give one to <see cref="ClientCertificate.FromSigner"/> with the certificate
/// registered for the app.
/// </summary>
/// <remarks>
/// The credential calls <see cref="SignAsync"/> once per token request (never for a cached token), and once more per
/// certificate it switches to, as a check: that signature (RS256 of a fixed label) must verify with the certificate's
/// public key before the certificate is used. Every signature is verified the same way before it is sent, so a signer
/// whose key is not the certificate's is refused with <see cref="CertificateCredentialFailure.KeyCertificateMismatch"/>
/// instead of being sent to Entra. A call is bounded by <see cref="CertificateClientCredentialOptions.RequestTimeout"/>
/// and the caller's cancellation; what it throws reaches callers as a <see cref="CertificateCredentialException"/>
/// (<see cref="CertificateCredentialFailure.SigningFailed"/>, or the signer's own <see cref="CertificateCredentialException"/> as is).
/// Implementations must be thread-safe: token requests of several tenants may sign at once.
/// </remarks>
public abstract class ClientAssertionSigner
{
    /// <summary>Signs <paramref name="data"/> with the private key of the certificate.</summary>
    /// <param name="data">
    /// The bytes to sign: the ASCII of the assertion's <c>base64url(header) "." base64url(payload)</c>. Hash them with
    /// SHA-256 (a remote API that takes a digest, such as Key Vault's <c>sign</c>, gets <c>SHA256(data)</c>).
    /// </param>
    /// <param name="algorithm">
    /// <c>"RS256"</c> (RSASSA-PKCS1-v1_5 with SHA-256) or <c>"PS256"</c> (RSASSA-PSS with SHA-256, MGF1 SHA-256, a
    /// 32-byte salt), the JWS names Key Vault's <c>sign</c> takes as they are.
    /// </param>
    /// <param name="cancellationToken">Cancelled when the caller gives up or RequestTimeout passes.</param>
    /// <returns>The raw signature (for RSA-2048, 256 bytes), not base64.</returns>
    public abstract ValueTask<byte[]> SignAsync(ReadOnlyMemory<byte> data, string algorithm, CancellationToken cancellationToken);
}
