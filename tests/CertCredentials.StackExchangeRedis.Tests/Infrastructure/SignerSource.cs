namespace CertCredentials.StackExchangeRedis.Tests.Infrastructure;

/// <summary>A certificate source whose key stays with its signer: the app's certificate and a <see cref="CountingSigner"/>.</summary>
internal sealed class SignerSource(AppIdentity app) : CertificateSource
{
    public CountingSigner Signer { get; } = new(app.Key);

    public override ValueTask<ClientCertificate> LoadAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(ClientCertificate.FromSigner(app.Certificate, Signer));
}
