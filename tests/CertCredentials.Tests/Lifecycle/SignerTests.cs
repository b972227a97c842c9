using System.Security.Cryptography;
using System.Text;
using CertCredentials.Lifecycle;
using CertCredentials.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;

namespace CertCredentials.Tests.Lifecycle;

/// <summary>
/// A key that never leaves its store, through <see cref="ClientAssertionSigner"/>: one check signature when the
/// certificate is taken, one signature per token request, none for a cached token; every signature verified before
/// it is sent; a signer that throws, hangs or lies is bounded and typed.
/// </summary>
public sealed class SignerTests : IDisposable
{
    private readonly NonExportingSigner _signer = new();

    public void Dispose() => _signer.Dispose();

    private async Task<LocalEntra> EntraWithSignerAsync()
    {
        var entra = await LocalEntra.StartAsync();
        entra.Service.RegisterApplication(TestOptions.TenantId, TestOptions.ClientId, _signer.Certificate, LocalEntra.Resource);
        return entra;
    }

    private static Action<CertificateClientCredentialOptions> From(CertificateSource source) => o =>
    {
        o.PrivateKeyPath = null;
        o.CertificatePath = null;
        o.CertificateSource = source;
    };

    [Fact]
    public async Task Tokens_come_from_one_signature_per_token_request_and_none_per_cached_lookup()
    {
        await using var entra = await EntraWithSignerAsync();
        var credential = entra.Credential(From(new ScriptedSource(() => ClientCertificate.FromSigner(_signer.Certificate, _signer))));
        _signer.Calls.Should().Be(1, "taking the certificate costs one check signature");

        var token = await credential.GetTokenAsync();
        for (var i = 0; i < 100; i++)
        {
            credential.GetTokenAsync().Synchronously().Token.Should().Be(token.Token);
        }

        _signer.Calls.Should().Be(2, "one token request, one signature; cached lookups sign nothing");
        await credential.RefreshTokenAsync();
        _signer.Calls.Should().Be(3);
        entra.Service.Requests.Should().HaveCount(2).And.OnlyContain(r => r.StatusCode == 200);
        entra.Service.Requests.Select(r => r.Assertion!.GetHeaderValue<string>("x5t#S256")).Should().AllBe(CertificateThumbprint.Compute(_signer.Certificate).Base64Url);
        credential.Thumbprint.Should().Be(CertificateThumbprint.Compute(_signer.Certificate));
        credential.CertificateSubject.Should().Be(_signer.Certificate.Subject);
    }

    [Theory]
    [InlineData("RS256")]
    [InlineData("PS256")]
    public async Task Assertions_are_signed_with_the_configured_algorithm_sync_and_async(string algorithm)
    {
        await using var entra = await EntraWithSignerAsync();
        var credential = entra.Credential(o => { From(new ScriptedSource(() => ClientCertificate.FromSigner(_signer.Certificate, _signer)))(o); o.SigningAlgorithm = algorithm; });

        var assertions = new[] { credential.CreateClientAssertion(), await credential.CreateClientAssertionAsync() };

        using var publicKey = _signer.Certificate.GetRSAPublicKey()!;
        foreach (var assertion in assertions)
        {
            new JsonWebToken(assertion).Alg.Should().Be(algorithm);
            var parts = assertion.Split('.');
            publicKey.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), System.Buffers.Text.Base64Url.DecodeFromChars(parts[2]),
                HashAlgorithmName.SHA256, algorithm == "PS256" ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1).Should().BeTrue();
        }

        _signer.Algorithms.Should().Equal("RS256", algorithm, algorithm);
        (await credential.GetTokenAsync()).Token.Should().NotBeEmpty();
    }

    [Fact]
    public void A_signer_whose_key_is_not_the_certificates_is_refused_when_the_credential_takes_it()
    {
        using var other = new NonExportingSigner("CN=other");
        var source = new ScriptedSource(() => ClientCertificate.FromSigner(other.Certificate, _signer));

        var refusal = FluentActions.Invoking(() => new CertificateClientCredential(TestOptions.Rsa2048(From(source))))
            .Should().Throw<CertificateCredentialException>().Which;

        refusal.Failure.Should().Be(CertificateCredentialFailure.KeyCertificateMismatch);
        refusal.Message.Should().Contain("NonExportingSigner").And.Contain("CN=other");
    }

    [Theory]
    [InlineData(NonExportingSigner.Behaviour.Garbage, CertificateCredentialFailure.KeyCertificateMismatch)]
    [InlineData(NonExportingSigner.Behaviour.OtherKey, CertificateCredentialFailure.KeyCertificateMismatch)]
    [InlineData(NonExportingSigner.Behaviour.Throw, CertificateCredentialFailure.SigningFailed)]
    public async Task A_signature_that_does_not_verify_or_a_signer_that_throws_fails_typed_before_anything_is_sent(NonExportingSigner.Behaviour behaviour, CertificateCredentialFailure failure)
    {
        await using var entra = await EntraWithSignerAsync();
        var credential = entra.Credential(o => { From(new ScriptedSource(() => ClientCertificate.FromSigner(_signer.Certificate, _signer)))(o); o.MaxRetries = 3; });
        _signer.Mode = behaviour;

        var refusal = await FluentActions.Awaiting(() => credential.GetTokenAsync().AsTask()).Should().ThrowAsync<CertificateCredentialException>();

        refusal.Which.Failure.Should().Be(failure);
        refusal.Which.Message.Should().NotContain("s3cr3t", "a signer's own message is not repeated");
        credential.LastFailure!.Failure.Should().Be(failure);
        entra.Service.TokenRequestCount.Should().Be(0, "a bad signature is caught before it reaches Entra");
        _signer.Calls.Should().Be(2, "a failed signature is not retried as if the endpoint were down");
        if (behaviour == NonExportingSigner.Behaviour.Throw)
        {
            refusal.Which.InnerException.Should().BeOfType<InvalidOperationException>();
        }
    }

    [Fact]
    public async Task A_signer_that_hangs_and_ignores_cancellation_fails_after_RequestTimeout()
    {
        await using var entra = await EntraWithSignerAsync();
        var credential = entra.Credential(o =>
        {
            From(new ScriptedSource(() => ClientCertificate.FromSigner(_signer.Certificate, _signer)))(o);
            o.RequestTimeout = TimeSpan.FromSeconds(1);
        });
        _signer.Mode = NonExportingSigner.Behaviour.Hang;

        var started = Environment.TickCount64;
        var refusal = await FluentActions.Awaiting(() => credential.GetTokenAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)))
            .Should().ThrowAsync<CertificateCredentialException>();

        refusal.Which.Failure.Should().Be(CertificateCredentialFailure.SigningFailed);
        refusal.Which.Message.Should().Contain("RequestTimeout");
        (Environment.TickCount64 - started).Should().BeLessThan(20_000, "bounded by RequestTimeout, not retried as an endpoint outage");
        entra.Service.TokenRequestCount.Should().Be(0);

        _signer.Mode = NonExportingSigner.Behaviour.Sign;
        (await credential.GetTokenAsync()).Token.Should().NotBeEmpty("the credential recovers with the signer");
    }

    [Fact]
    public async Task CreateClientAssertionAsync_honours_the_callers_cancellation()
    {
        await using var entra = await EntraWithSignerAsync();
        var credential = entra.Credential(From(new ScriptedSource(() => ClientCertificate.FromSigner(_signer.Certificate, _signer))));
        _signer.Mode = NonExportingSigner.Behaviour.Hang;
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await FluentActions.Awaiting(() => credential.CreateClientAssertionAsync(cancel.Token).AsTask().WaitAsync(TimeSpan.FromSeconds(30)))
            .Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task The_store_key_signature_is_made_once_per_identity_and_verifies_with_the_certificate()
    {
        await using var entra = await EntraWithSignerAsync();
        var credential = entra.Credential(From(new ScriptedSource(() => ClientCertificate.FromSigner(_signer.Certificate, _signer))));

        var first = await credential.Reloader.Holder.GetStoreKeySignatureAsync(CancellationToken.None);
        var second = await credential.Reloader.Holder.GetStoreKeySignatureAsync(CancellationToken.None);

        _signer.Calls.Should().Be(1, "the check signature at switch time is the store key signature: one remote call per rotation");
        second.Signature.Should().Equal(first.Signature);
        first.Thumbprint.Should().Be(credential.Thumbprint);
        using var publicKey = _signer.Certificate.GetRSAPublicKey()!;
        publicKey.VerifyData(SigningIdentity.StoreKeyLabel, first.Signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).Should().BeTrue();
    }

    [Fact]
    public async Task The_store_key_signature_of_a_local_key_is_deterministic_across_credentials()
    {
        await using var entra = await LocalEntra.StartAsync();
        var one = await entra.Credential().Reloader.Holder.GetStoreKeySignatureAsync(CancellationToken.None);
        var other = await entra.Credential(o => o.PrivateKeyPath = Fixture.Path("rsa2048.pkcs1.pem")).Reloader.Holder.GetStoreKeySignatureAsync(CancellationToken.None);

        other.Signature.Should().Equal(one.Signature, "RS256 (PKCS#1 v1.5) of a fixed label is the same for the same key");
        using var certificate = Fixture.Certificate("rsa2048.crt.pem");
        using var publicKey = certificate.GetRSAPublicKey()!;
        publicKey.VerifyData(SigningIdentity.StoreKeyLabel, one.Signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).Should().BeTrue();
    }
}
