using System.Formats.Asn1;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;

namespace CertCredentials.Keys;

/// <summary>Turns PKCS#8 (plain or encrypted) and PKCS#1 DER into an RSA key, refusing other algorithms by name.</summary>
internal static class PrivateKeyDecoder
{
    private static readonly HashSet<string> SupportedPbes2Ciphers =
    [
        "2.16.840.1.101.3.4.1.2", "2.16.840.1.101.3.4.1.22", "2.16.840.1.101.3.4.1.42", "1.2.840.113549.3.7", "1.3.14.3.2.7", "1.2.840.113549.3.2",
    ];

    private static readonly HashSet<string> SupportedPbes1Schemes =
    [
        "1.2.840.113549.1.5.3", "1.2.840.113549.1.5.6", "1.2.840.113549.1.5.10", "1.2.840.113549.1.5.11",
        "1.2.840.113549.1.12.1.3", "1.2.840.113549.1.12.1.5", "1.2.840.113549.1.12.1.6",
    ];

    /// <summary>
    /// The most key-derivation iterations a file may ask for. OpenSSL writes 2048 and current advice is 600,000; a file
    /// asking for more is damaged or hostile, and honouring int.MaxValue would take the better part of an hour.
    /// </summary>
    public const int MaxKdfIterations = 1_000_000;

    public static RSA FromPkcs8(ReadOnlyMemory<byte> der, KeySource source)
    {
        Pkcs8PrivateKeyInfo info;
        try
        {
            info = Pkcs8PrivateKeyInfo.Decode(der, out _, skipCopy: true);
        }
        catch (CryptographicException e)
        {
            throw KeyErrors.Corrupt(source, "the PKCS#8 private key", e);
        }

        return FromPkcs8Info(info, source);
    }

    public static RSA FromEncryptedPkcs8(ReadOnlyMemory<byte> der, string? passphrase, KeySource source)
    {
        var scheme = DescribeEncryption(der.Span, source, out var supported);
        if (!supported)
        {
            throw KeyErrors.EncryptionUnsupported(source, scheme);
        }

        var what = $"the encrypted PKCS#8 key ({scheme})";
        if (string.IsNullOrEmpty(passphrase))
        {
            // A key exported with an empty passphrase is still "encrypted": try that before asking for one.
            if (TryDecrypt(der, string.Empty, out var unlocked))
            {
                return FromPkcs8Info(unlocked, source);
            }

            throw KeyErrors.PassphraseRequired(source, what);
        }

        if (!TryDecrypt(der, passphrase, out var info))
        {
            throw KeyErrors.PassphraseIncorrect(source, what);
        }

        return FromPkcs8Info(info, source);
    }

    public static RSA FromPkcs1(ReadOnlySpan<byte> der, KeySource source)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportRSAPrivateKey(der, out _);
            return rsa;
        }
        catch (CryptographicException e)
        {
            rsa.Dispose();
            throw KeyErrors.Corrupt(source, "the RSA (PKCS#1) private key", e);
        }
    }

    private static bool TryDecrypt(ReadOnlyMemory<byte> der, string passphrase, out Pkcs8PrivateKeyInfo info)
    {
        try
        {
            info = Pkcs8PrivateKeyInfo.DecryptAndDecode(passphrase.AsSpan(), der, out _);
            return true;
        }
        catch (CryptographicException)
        {
            info = null!;
            return false;
        }
    }

    private static RSA FromPkcs8Info(Pkcs8PrivateKeyInfo info, KeySource source)
    {
        try
        {
            var algorithm = info.AlgorithmId.Value ?? string.Empty;
            if (Oids.NonRsaKeyName(algorithm) is { } name)
            {
                throw KeyErrors.NotRsa(source, name);
            }

            return FromPkcs1(info.PrivateKeyBytes.Span, source);
        }
        finally
        {
            if (MemoryMarshal.TryGetArray(info.PrivateKeyBytes, out var segment) && segment.Array is { } array)
            {
                CryptographicOperations.ZeroMemory(array.AsSpan(segment.Offset, segment.Count));
            }
        }
    }

    /// <summary>Names the encryption of an EncryptedPrivateKeyInfo (safe for messages) and says whether .NET can decrypt it.</summary>
    public static string DescribeEncryption(ReadOnlySpan<byte> der, KeySource source, out bool supported)
    {
        try
        {
            var outer = new AsnReader(der.ToArray(), AsnEncodingRules.BER).ReadSequence();
            var algorithm = outer.ReadSequence();
            var oid = algorithm.ReadObjectIdentifier();
            if (oid != Oids.Pbes2)
            {
                supported = SupportedPbes1Schemes.Contains(oid);
                if (supported)
                {
                    // PBES1 and PKCS#12 PBE parameters: SEQUENCE { salt OCTET STRING, iterations INTEGER }.
                    var pbeParameters = algorithm.ReadSequence();
                    pbeParameters.ReadEncodedValue();
                    CheckIterations(pbeParameters, source, Oids.EncryptionName(oid));
                }

                return Oids.EncryptionName(oid);
            }

            var parameters = algorithm.ReadSequence();
            var kdf = parameters.ReadSequence();
            var kdfOid = kdf.ReadObjectIdentifier();
            var prf = "HMAC-SHA1";
            if (kdfOid == Oids.Pbkdf2)
            {
                var kdfParameters = kdf.ReadSequence();
                kdfParameters.ReadEncodedValue(); // salt
                CheckIterations(kdfParameters, source, "PBES2 with PBKDF2");
                if (kdfParameters.HasData && kdfParameters.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
                {
                    kdfParameters.ReadInteger(); // key length
                }

                if (kdfParameters.HasData)
                {
                    prf = Oids.EncryptionName(kdfParameters.ReadSequence().ReadObjectIdentifier());
                }
            }

            var cipherOid = parameters.ReadSequence().ReadObjectIdentifier();
            supported = kdfOid == Oids.Pbkdf2 && SupportedPbes2Ciphers.Contains(cipherOid);
            return kdfOid == Oids.Pbkdf2
                ? $"PBES2, PBKDF2 with {prf}, {Oids.EncryptionName(cipherOid)}"
                : $"PBES2 with the {Oids.EncryptionName(kdfOid)} key derivation and {Oids.EncryptionName(cipherOid)}";
        }
        catch (AsnContentException e)
        {
            throw KeyErrors.Corrupt(source, "the encrypted PKCS#8 private key", e);
        }
    }

    private static void CheckIterations(AsnReader parameters, KeySource source, string scheme)
    {
        if (!parameters.TryReadInt32(out var iterations) || iterations < 1 || iterations > MaxKdfIterations)
        {
            throw KeyErrors.TooManyIterations(source, scheme, MaxKdfIterations, KeyErrors.ExportPkcs8);
        }
    }
}
