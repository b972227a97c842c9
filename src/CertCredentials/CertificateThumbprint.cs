using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertCredentials.Keys;
using CertCredentials.Thumbprints;

namespace CertCredentials;

/// <summary>
/// A certificate thumbprint: the SHA-256 (<c>x5t#S256</c>) or SHA-1 (<c>x5t</c>) hash of the certificate's DER bytes.
/// <see cref="Parse"/> reads every form people paste (hex with or without colons, base64url, base64);
/// <see cref="Compute(X509Certificate2, ThumbprintAlgorithm)"/> computes it from a certificate.
/// </summary>
public sealed class CertificateThumbprint : IEquatable<CertificateThumbprint>
{
    private readonly byte[] _hash;

    internal CertificateThumbprint(ThumbprintAlgorithm algorithm, byte[] hash)
    {
        Algorithm = algorithm;
        _hash = hash;
        Base64Url = System.Buffers.Text.Base64Url.EncodeToString(hash);
        Hex = Convert.ToHexString(hash);
    }

    /// <summary>The hash this thumbprint was made with.</summary>
    public ThumbprintAlgorithm Algorithm { get; }

    /// <summary>The hash as base64url without padding: the value of the JWT header (43 characters for SHA-256, 27 for SHA-1).</summary>
    public string Base64Url { get; }

    /// <summary>The hash as upper-case hex without separators, as the Azure portal shows thumbprints.</summary>
    public string Hex { get; }

    /// <summary>The JWT header parameter that carries this thumbprint: <c>x5t#S256</c> or <c>x5t</c>.</summary>
    public string HeaderParameter => Algorithm == ThumbprintAlgorithm.Sha256 ? "x5t#S256" : "x5t";

    /// <summary>The raw hash bytes.</summary>
    public ReadOnlySpan<byte> Hash => _hash;

    /// <summary>
    /// Reads a thumbprint in any form people paste: hex SHA-1 (40 digits) or SHA-256 (64), any case, with colons,
    /// spaces or dashes between bytes (also with openssl's <c>SHA1 Fingerprint=</c> prefix); base64url (27 or 43
    /// characters); standard base64 with or without padding.
    /// </summary>
    /// <exception cref="CertificateCredentialException">The text is no thumbprint; the message says which forms are read.</exception>
    public static CertificateThumbprint Parse(string value) =>
        ThumbprintText.TryParse(value, out var thumbprint, out var problem)
            ? thumbprint
            : throw new CertificateCredentialException(CertificateCredentialFailure.ThumbprintInvalid, problem);

    /// <summary>Reads a thumbprint like <see cref="Parse"/>, returning false instead of throwing.</summary>
    public static bool TryParse([NotNullWhen(true)] string? value, [NotNullWhen(true)] out CertificateThumbprint? thumbprint) =>
        ThumbprintText.TryParse(value, out thumbprint, out _);

    /// <summary>Computes the thumbprint of a certificate (SHA-256 by default: the <c>x5t#S256</c> value).</summary>
    public static CertificateThumbprint Compute(X509Certificate2 certificate, ThumbprintAlgorithm algorithm = ThumbprintAlgorithm.Sha256)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Compute(certificate.RawDataMemory.Span, algorithm);
    }

    /// <summary>Computes the thumbprint of a certificate given as DER bytes.</summary>
    public static CertificateThumbprint Compute(ReadOnlySpan<byte> certificateDer, ThumbprintAlgorithm algorithm = ThumbprintAlgorithm.Sha256) =>
#pragma warning disable CA5350 // SHA-1 is what the x5t header and the Azure portal's thumbprint are defined as; it identifies, it does not protect.
        new(algorithm, algorithm == ThumbprintAlgorithm.Sha256 ? SHA256.HashData(certificateDer) : SHA1.HashData(certificateDer));
#pragma warning restore CA5350

    /// <summary>
    /// Computes the thumbprint of a certificate given as text: PEM (as pasted: CRLF, escaped <c>\n</c>, one line,
    /// bundles with a key) or base64 DER. In a bundle, the first certificate is used.
    /// </summary>
    /// <exception cref="CertificateCredentialException">The text holds no readable certificate.</exception>
    public static CertificateThumbprint ComputeFromPem(string certificatePem, ThumbprintAlgorithm algorithm = ThumbprintAlgorithm.Sha256)
    {
        using var certificate = CertificateText.ReadFirstCertificate(certificatePem);
        return Compute(certificate, algorithm);
    }

    /// <summary>Whether this is the thumbprint of <paramref name="certificate"/> (with this thumbprint's algorithm).</summary>
    public bool Matches(X509Certificate2 certificate) => Equals(Compute(certificate, Algorithm));

    /// <inheritdoc />
    public bool Equals(CertificateThumbprint? other) =>
        other is not null && other.Algorithm == Algorithm && CryptographicOperations.FixedTimeEquals(other._hash, _hash);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as CertificateThumbprint);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Algorithm, BitConverter.ToInt32(_hash, 0));

    /// <summary>The header parameter and base64url value, e.g. <c>x5t#S256=...</c>. Thumbprints are public values.</summary>
    public override string ToString() => $"{HeaderParameter}={Base64Url}";
}
