using System.Security.Cryptography;
using System.Text;
using CertCredentials.Assertion;
using CertCredentials.Configuration;
using CertCredentials.Lifecycle;
using CertCredentials.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;

namespace CertCredentials.Tests.Lifecycle;

/// <summary>
/// The switch is atomic: every assertion is signed wholly with one identity's key and header, and an identity swapped
/// out is disposed only once no assertion is being signed with it.
/// </summary>
public sealed class IdentityHolderTests
{
    private readonly MadeCertificate _a = MadeCertificate.For("CN=a");
    private readonly MadeCertificate _b = MadeCertificate.For("CN=b");
    private readonly IdentitySettings _settings = new(SigningAlgorithms.RS256, TimeSpan.FromSeconds(30), TimeProvider.System);

    [Fact]
    public async Task Assertions_made_during_many_swaps_are_each_signed_wholly_by_the_certificate_their_header_names()
    {
        using var holder = new IdentityHolder(SigningIdentity.ForLocalKey(_a.ToClientCertificate(), _settings));
        var factory = new ClientAssertionFactory(holder, CredentialSettings.From(TestOptions.Rsa2048(o => o.SendCertificateChain = true)), TimeProvider.System);
        var swapped = new List<SigningIdentity>();
        using var stop = new CancellationTokenSource();

        var swapper = Task.Run(() =>
        {
            for (var i = 0; i < 100; i++)
            {
                var next = SigningIdentity.ForLocalKey((i % 2 == 0 ? _b : _a).ToClientCertificate(), _settings);
                swapped.Add(holder.Current);
                holder.Swap(next).Should().BeTrue();
            }

            stop.Cancel();
        });
        var signers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var made = new List<string>();
            while (!stop.IsCancellationRequested)
            {
                made.Add(made.Count % 2 == 0 ? factory.Create() : (await factory.CreateAsync(CancellationToken.None)).Text);
            }

            return made;
        })).ToArray();

        await swapper.WaitAsync(TimeSpan.FromSeconds(60));
        var assertions = (await Task.WhenAll(signers).WaitAsync(TimeSpan.FromSeconds(60))).SelectMany(a => a).ToList();

        assertions.Should().HaveCountGreaterThan(100);
        var byThumbprint = new[] { _a, _b }.ToDictionary(c => c.X5tS256);
        foreach (var assertion in assertions)
        {
            var jwt = new JsonWebToken(assertion);
            var named = byThumbprint[jwt.GetHeaderValue<string>("x5t#S256")];
            jwt.GetHeaderValue<string[]>("x5c").Should().Equal(Convert.ToBase64String(named.Certificate.RawData));
            var parts = assertion.Split('.');
            using var publicKey = named.Certificate.GetRSAPublicKey()!;
            publicKey.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), System.Buffers.Text.Base64Url.DecodeFromChars(parts[2]),
                HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).Should().BeTrue("the header's certificate and the signing key are one identity's");
        }

        swapped.Should().OnlyContain(identity => identity.IsDisposed, "every identity swapped out is disposed once its assertions are done");
        holder.Current.IsDisposed.Should().BeFalse();
    }

    [Fact]
    public async Task An_identity_swapped_out_while_it_signs_is_disposed_only_after_that_signature()
    {
        using var signer = new NonExportingSigner();
        var first = await SigningIdentity.CreateAsync(ClientCertificate.FromSigner(signer.Certificate, signer), _settings, CancellationToken.None);
        using var holder = new IdentityHolder(first);
        var factory = new ClientAssertionFactory(holder, CredentialSettings.From(TestOptions.Rsa2048()), TimeProvider.System);
        signer.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var signing = factory.CreateAsync(CancellationToken.None).AsTask();
        await Eventually.TrueAsync(() => signer.Calls == 2, "the signature is under way");
        holder.Swap(SigningIdentity.ForLocalKey(_b.ToClientCertificate(), _settings));

        first.IsDisposed.Should().BeFalse("an assertion is still being signed with it");
        signer.Gate.SetResult();
        var assertion = await signing.WaitAsync(TimeSpan.FromSeconds(30));

        assertion.Thumbprint.Should().Be(CertificateThumbprint.Compute(signer.Certificate));
        first.IsDisposed.Should().BeTrue("released by its last assertion");
        (await factory.CreateAsync(CancellationToken.None)).Thumbprint.Should().Be(_b.Thumbprint);
    }

    [Fact]
    public void A_disposed_holder_refuses_new_leases_typed()
    {
        var holder = new IdentityHolder(SigningIdentity.ForLocalKey(_a.ToClientCertificate(), _settings));
        var identity = holder.Current;
        holder.Dispose();
        holder.Dispose();

        identity.IsDisposed.Should().BeTrue();
        FluentActions.Invoking(() => holder.Lease()).Should().Throw<CertificateCredentialException>().Which.Failure.Should().Be(CertificateCredentialFailure.Disposed);
        holder.Swap(SigningIdentity.ForLocalKey(_b.ToClientCertificate(), _settings)).Should().BeFalse();
    }
}
