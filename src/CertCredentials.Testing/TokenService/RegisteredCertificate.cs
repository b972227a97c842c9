using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.IdentityModel.Tokens;

namespace CertCredentials.Testing.TokenService;

/// <summary>A certificate registered for an application: its public part and the thumbprints Entra matches.</summary>
internal sealed class RegisteredCertificate
{
    public RegisteredCertificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var der = certificate.RawData;
        using var rsa = certificate.GetRSAPublicKey()
            ?? throw new ArgumentException("Only certificates with an RSA key can be registered.", nameof(certificate));
        Der = der;
        KeySize = rsa.KeySize;
        PublicKey = rsa.ExportParameters(includePrivateParameters: false);
        X5tS256 = ComputeX5tS256(certificate);
#pragma warning disable CA5350 // SHA-1 is what the legacy x5t header carries; it identifies, it does not protect.
        X5t = Base64UrlEncoder.Encode(SHA1.HashData(der));
#pragma warning restore CA5350
    }

    /// <summary>The certificate's DER bytes.</summary>
    public byte[] Der { get; }

    /// <summary>The RSA public key.</summary>
    public RSAParameters PublicKey { get; }

    /// <summary>RSA modulus size in bits.</summary>
    public int KeySize { get; }

    /// <summary>base64url SHA-256 of the DER bytes (43 characters).</summary>
    public string X5tS256 { get; }

    /// <summary>base64url SHA-1 of the DER bytes (27 characters).</summary>
    public string X5t { get; }

    /// <summary>base64url SHA-256 of a certificate's DER bytes, as the <c>x5t#S256</c> header carries it.</summary>
    public static string ComputeX5tS256(X509Certificate2 certificate) => Base64UrlEncoder.Encode(SHA256.HashData(certificate.RawData));

    /// <summary>Verifies an RS256 (PKCS#1 v1.5) or PS256 (PSS, salt = 32 bytes) signature over <paramref name="data"/>.</summary>
    public bool Verify(byte[] data, byte[] signature, bool pss)
    {
        using var rsa = RSA.Create(PublicKey);
        return rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, pss ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1);
    }
}
