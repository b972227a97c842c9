using System.Security.Cryptography;

namespace CertCredentials.StackExchangeRedis.Tests.Infrastructure;

/// <summary>A signer holding the app's key out of the credential's reach, as a vault or HSM does, and counting its signatures.</summary>
internal sealed class CountingSigner(RSA key) : ClientAssertionSigner
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public override ValueTask<byte[]> SignAsync(ReadOnlyMemory<byte> data, string algorithm, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        var padding = algorithm == "PS256" ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
        return ValueTask.FromResult(key.SignData(data.Span, HashAlgorithmName.SHA256, padding));
    }
}
