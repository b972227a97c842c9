using CertCredentials.Keys;

namespace CertCredentials.Tests.Infrastructure;

/// <summary>Shortcuts for loading key material the way the credential does.</summary>
internal static class Load
{
    public static KeyMaterial From(CertificateClientCredentialOptions options) => KeyMaterialLoader.Load(options);

    public static KeyMaterial FromText(string privateKey, string? passphrase = null, string? certificate = null, string? thumbprint = null) =>
        KeyMaterialLoader.Load(new CertificateClientCredentialOptions
        {
            PrivateKey = privateKey,
            PrivateKeyPassphrase = passphrase,
            Certificate = certificate,
            CertificateThumbprint = thumbprint,
        });

    public static KeyMaterial FromFile(string fixture, string? passphrase = null, string? certificateFixture = null, string? thumbprint = null) =>
        KeyMaterialLoader.Load(new CertificateClientCredentialOptions
        {
            PrivateKeyPath = Fixture.Path(fixture),
            PrivateKeyPassphrase = passphrase,
            CertificatePath = certificateFixture is null ? null : Fixture.Path(certificateFixture),
            CertificateThumbprint = thumbprint,
        });

    /// <summary>Runs <paramref name="load"/> and returns the refusal, checking it is typed and holds no secret.</summary>
    public static CertificateCredentialException Refusal(Action load, CertificateCredentialFailure failure, params string[] secrets)
    {
        var exception = Assert.Throws<CertificateCredentialException>(load);
        exception.Failure.Should().Be(failure, "the message was: {0}", exception.Message);
        SecretScan.AssertClean(exception, secrets);
        return exception;
    }
}
