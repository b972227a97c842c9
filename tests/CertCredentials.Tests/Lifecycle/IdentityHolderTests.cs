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
        // Made beforehand, so that swaps come quickly against the signatures; more are made if the signers are slow.
        var ready = Enumerable.Range(0, 100).Select(i => SigningIdentity.ForLocalKey((i % 2 == 0 ? _b : _a).ToClientCertificate(), _settings)).ToList();
        using var stop = new CancellationTokenSource();
        var signerCount = 4;
        var signing = 0;
        var made = 0;

        // Dedicated threads, and the swaps start only once every signer signs: on a loaded machine pool threads for
        // the signers may come only after the swapper is done, and assertions made then would test no swap at all.
        var signers = Enumerable.Range(0, signerCount).Select(_ => Task.Factory.StartNew(() =>
        {
            var mine = new List<string>();
            while (!stop.IsCancellationRequested)
            {
                // A local key signs synchronously on both paths.
                mine.Add(mine.Count % 2 == 0 ? factory.Create() : factory.CreateAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult().Text);
                if (mine.Count == 1)
                {
                    Interlocked.Increment(ref signing);
                }

                Interlocked.Increment(ref made);
            }

            return mine;
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        var swapper = Task.Factory.StartNew(() =>
        {
            var deadline = Environment.TickCount64 + 60_000;
            SpinWait.SpinUntil(() => Volatile.Read(ref signing) == signerCount || Environment.TickCount64 > deadline);
            var before = Volatile.Read(ref made);

            // At least 100 swaps, and on until 200 assertions were made while swapping, however the threads are scheduled.
            for (var i = 0; (i < 100 || Volatile.Read(ref made) - before < 200) && Environment.TickCount64 < deadline; i++)
            {
                var next = i < ready.Count ? ready[i] : SigningIdentity.ForLocalKey((i % 2 == 0 ? _b : _a).ToClientCertificate(), _settings);
                swapped.Add(holder.Current);
                holder.Swap(next).Should().BeTrue();
            }

            stop.Cancel();
            return Volatile.Read(ref made) - before;
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        var madeWhileSwapping = await swapper.WaitAsync(TimeSpan.FromSeconds(90));
        var assertions = (await Task.WhenAll(signers).WaitAsync(TimeSpan.FromSeconds(60))).SelectMany(a => a).ToList();

        madeWhileSwapping.Should().BeGreaterThanOrEqualTo(200, "the signers signed while the identities were swapped");
        swapped.Should().HaveCountGreaterThanOrEqualTo(100);
        var byThumbprint = new[] { _a, _b }.ToDictionary(c => c.X5tS256);
        var publicKeys = new[] { _a, _b }.ToDictionary(c => c.X5tS256, c => c.Certificate.GetRSAPublicKey()!);
        var mixed = new List<string>();
        foreach (var assertion in assertions)
        {
            var jwt = new JsonWebToken(assertion);
            var thumbprint = jwt.GetHeaderValue<string>("x5t#S256");
            var chain = jwt.GetHeaderValue<string[]>("x5c");
            var parts = assertion.Split('.');
            var verifies = publicKeys[thumbprint].VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), System.Buffers.Text.Base64Url.DecodeFromChars(parts[2]),
                HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            if (!verifies || chain is not [var leaf] || leaf != Convert.ToBase64String(byThumbprint[thumbprint].Certificate.RawData))
            {
                mixed.Add(assertion);
            }
        }

        foreach (var key in publicKeys.Values)
        {
            key.Dispose();
        }

        mixed.Should().BeEmpty("the header's certificate and the signing key are one identity's, in each of {0} assertions", assertions.Count);
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
