using System.Security.Cryptography;

namespace CertCredentials.Tests.Lifecycle;

/// <summary>
/// A signer that holds its RSA key the way an HSM or Key Vault does: made inside, never exported (nothing here hands
/// the key out), and reached only through <see cref="SignAsync"/>, whose calls it counts. It can be told to misbehave.
/// </summary>
public sealed class NonExportingSigner : ClientAssertionSigner, IDisposable
{
    private readonly RSA _key = RSA.Create(2048);
    private int _calls;

    public NonExportingSigner(string subject = "CN=held-elsewhere")
    {
        var request = new CertificateRequest(subject, _key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var withKey = request.CreateSelfSigned(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2040, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Certificate = X509CertificateLoader.LoadCertificate(withKey.RawData);
    }

    public enum Behaviour
    {
        Sign,
        Throw,
        Hang,
        Garbage,
        OtherKey,
    }

    /// <summary>The certificate of the key (public part only).</summary>
    public X509Certificate2 Certificate { get; }

    public int Calls => Volatile.Read(ref _calls);

    public Behaviour Mode { get; set; } = Behaviour.Sign;

    /// <summary>The algorithms asked for, in order.</summary>
    public List<string> Algorithms { get; } = [];

    /// <summary>While set, signing waits for it (to hold a signature under way).</summary>
    public TaskCompletionSource? Gate { get; set; }

    public override async ValueTask<byte[]> SignAsync(ReadOnlyMemory<byte> data, string algorithm, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        lock (Algorithms)
        {
            Algorithms.Add(algorithm);
        }

        if (Gate is { } gate)
        {
            await gate.Task;
        }

        await Task.Yield(); // as a remote call would: never synchronously
        var padding = algorithm == "PS256" ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
        switch (Mode)
        {
            case Behaviour.Throw:
                throw new InvalidOperationException("HSM slot 3 is busy (secret-looking detail: s3cr3t)");
            case Behaviour.Hang:
                await Task.Delay(Timeout.Infinite, CancellationToken.None); // ignores cancellation, as a stuck driver would
                return [];
            case Behaviour.Garbage:
                return RandomNumberGenerator.GetBytes(256);
            case Behaviour.OtherKey:
                using (var other = RSA.Create(2048))
                {
                    return other.SignData(data.Span, HashAlgorithmName.SHA256, padding);
                }

            default:
                return _key.SignData(data.Span, HashAlgorithmName.SHA256, padding);
        }
    }

    public void Dispose()
    {
        _key.Dispose();
        Certificate.Dispose();
    }
}
