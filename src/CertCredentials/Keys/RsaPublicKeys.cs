using System.Security.Cryptography;

namespace CertCredentials.Keys;

/// <summary>Whether two RSA keys are the same public key: modulus and exponent both, as Entra compares them.</summary>
internal static class RsaPublicKeys
{
    public static bool Same(RSAParameters a, RSAParameters b) =>
        a.Modulus.AsSpan().SequenceEqual(b.Modulus) && TrimmedExponent(a.Exponent).SequenceEqual(TrimmedExponent(b.Exponent));

    // A DER integer may carry leading zero bytes; 00 01 00 01 and 01 00 01 are the same exponent.
    private static ReadOnlySpan<byte> TrimmedExponent(byte[]? exponent)
    {
        var span = exponent.AsSpan();
        while (span.Length > 1 && span[0] == 0)
        {
            span = span[1..];
        }

        return span;
    }
}
