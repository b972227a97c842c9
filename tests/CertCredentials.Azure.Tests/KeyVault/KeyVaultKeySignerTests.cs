using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Core.Pipeline;
using CertCredentials.Azure.Tests.Infrastructure;
using CertCredentials.Testing;

namespace CertCredentials.Azure.Tests.KeyVault;

/// <summary>The public Key Vault signer against the local Key Vault: a local SHA-256, one sign request per signature, typed failures.</summary>
public sealed class KeyVaultKeySignerTests : VaultTestBase
{
    private static readonly byte[] SigningInput = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhcHAifQ"u8.ToArray();

    [Theory]
    [InlineData(SigningAlgorithms.RS256)]
    [InlineData(SigningAlgorithms.PS256)]
    public async Task Signs_the_SHA256_of_the_input_in_the_vault_once_per_call(string algorithm)
    {
        var version = Vault.CreateCertificate("hsm", options: new KeyVaultCertificateOptions { Exportable = false });
        var signer = Signer(version.KeyId);

        var signature = await signer.SignAsync(SigningInput, algorithm, default);
        await signer.SignAsync(SigningInput, algorithm, default);

        using var publicKey = version.Certificate.GetRSAPublicKey()!;
        publicKey.VerifyData(SigningInput, signature, HashAlgorithmName.SHA256, algorithm == SigningAlgorithms.PS256 ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1)
            .Should().BeTrue();
        Vault.SignCount.Should().Be(2);
        Vault.Requests.Where(r => r.StatusCode == 200).Select(r => r.Path).Should().Equal($"/keys/hsm/{version.Version}/sign", $"/keys/hsm/{version.Version}/sign");
    }

    [Fact]
    public async Task Signs_for_a_certificate_given_to_FromSigner_and_the_credential_uses_it()
    {
        var version = Vault.CreateCertificate("hsm", "CN=hsm", new KeyVaultCertificateOptions { Exportable = false });
        Register(version);
        var source = new FixedSource(() => ClientCertificate.FromSigner(version.Certificate, Signer(version.KeyId)));

        using var credential = new CertificateClientCredential(AppOptions(source));
        await credential.RefreshTokenAsync();
        await credential.GetTokenAsync();

        Vault.SignCount.Should().Be(2, "the check signature, then one for the one token request");
        Entra.Service.Requests.Should().ContainSingle(r => r.Form["client_id"] == AppClientId && r.StatusCode == 200);
    }

    [Fact]
    public async Task An_algorithm_other_than_RS256_or_PS256_is_refused_without_a_request()
    {
        var version = Vault.CreateCertificate("hsm", options: new KeyVaultCertificateOptions { Exportable = false });

        var refusal = await FluentActions.Awaiting(() => Signer(version.KeyId).SignAsync(SigningInput, "RS512", default).AsTask())
            .Should().ThrowAsync<CertificateCredentialException>();

        refusal.Which.Failure.Should().Be(CertificateCredentialFailure.SigningFailed);
        refusal.Which.Message.Should().Contain("RS256 or PS256");
        Vault.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task A_missing_keys_sign_permission_is_a_signing_failure_that_names_it()
    {
        var version = Vault.CreateCertificate("hsm", options: new KeyVaultCertificateOptions { Exportable = false });
        Vault.Grant(TestIdentity.ClientId, KeyVaultPermissions.All & ~KeyVaultPermissions.KeysSign);

        var refusal = await FluentActions.Awaiting(() => Signer(version.KeyId).SignAsync(SigningInput, SigningAlgorithms.RS256, default).AsTask())
            .Should().ThrowAsync<CertificateCredentialException>();

        refusal.Which.Failure.Should().Be(CertificateCredentialFailure.SigningFailed);
        refusal.Which.Message.Should().Contain("'keys sign'").And.Contain("Key Vault Crypto User");
    }

    [Theory]
    [InlineData("https://example.vault.azure.net/secrets/app/1")]
    [InlineData("http://example.vault.azure.net/keys/app/1")]
    [InlineData("https://example.vault.azure.net/")]
    public void A_uri_that_is_not_an_https_key_identifier_is_refused(string uri)
    {
        FluentActions.Invoking(() => new KeyVaultKeySigner(new Uri(uri), VaultCredential)).Should().Throw<ArgumentException>().WithMessage("*not a Key Vault key identifier*");
    }

    private KeyVaultKeySigner Signer(Uri keyId)
    {
        var options = new KeyVaultKeySignerOptions { Transport = new HttpClientTransport(VaultHandler), DisableChallengeResourceVerification = true };
        options.Retry.MaxRetries = 0;
        return new KeyVaultKeySigner(keyId, VaultCredential, options);
    }

    private sealed class FixedSource(Func<ClientCertificate> create) : CertificateSource
    {
        private ClientCertificate? _certificate;

        public override ValueTask<ClientCertificate> LoadAsync(CancellationToken cancellationToken) => new(_certificate ??= create());
    }
}
