namespace CertCredentials;

/// <summary>
/// Where the key and certificate come from when not from the options' text and files: Azure Key Vault, an HSM, a
/// certificate store, your own secret store. Set it as <see cref="CertificateClientCredentialOptions.CertificateSource"/>
/// instead of PrivateKey/PrivateKeyPath/Certificate*.
/// </summary>
/// <remarks>
/// <see cref="LoadAsync"/> is called when the credential is built (a failure then fails the constructor, or the host's
/// start), every <see cref="CertificateClientCredentialOptions.CertificateReloadInterval"/>, and at once when Entra
/// refuses the certificate in use. A certificate with the thumbprint of the one in use changes nothing; another one is
/// checked (for a signer, one test signature) and then replaces it for every later token request, while cached tokens
/// stay valid. A load that throws leaves the certificate in use serving, and is reported (an Error log, the health
/// check Degraded) when the next attempt fails too. Each call is bounded by RequestTimeout and cancellation.
/// The credential owns what <see cref="LoadAsync"/> returns: it disposes a certificate once it is replaced and no
/// assertion is being signed with it any more, or when the credential is disposed. Return a new
/// <see cref="ClientCertificate"/> for each new certificate, or the same instance while nothing changed.
/// </remarks>
public abstract class CertificateSource
{
    /// <summary>The current certificate and its key (or signer).</summary>
    /// <param name="cancellationToken">Cancelled when the credential is disposed or RequestTimeout passes.</param>
    public abstract ValueTask<ClientCertificate> LoadAsync(CancellationToken cancellationToken);
}
