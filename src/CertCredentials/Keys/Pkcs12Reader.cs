using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;

namespace CertCredentials.Keys;

/// <summary>
/// Reads PKCS#12 (.pfx/.p12), including openssl's <c>-legacy</c> RC2/3DES files. The MAC is checked first, so a wrong
/// password is told apart from a corrupt file.
/// </summary>
internal static class Pkcs12Reader
{
    /// <summary>
    /// The most MAC iterations verified: .NET's own PKCS#12 loader limit. OpenSSL writes 2048; a file asking for
    /// int.MaxValue would keep the check busy for over an hour.
    /// </summary>
    private static readonly int MaxMacIterations = Pkcs12LoaderLimits.Defaults.MacIterationLimit ?? 300_000;

    public static void Read(byte[] pfx, string? passphrase, KeySource source, KeyBag bag)
    {
        var password = ResolvePassword(pfx, passphrase, source);

        X509Certificate2Collection collection;
        try
        {
            var flags = OperatingSystem.IsMacOS() ? X509KeyStorageFlags.DefaultKeySet : X509KeyStorageFlags.EphemeralKeySet;
            collection = X509CertificateLoader.LoadPkcs12Collection(pfx, password, flags | X509KeyStorageFlags.Exportable, Pkcs12LoaderLimits.Defaults);
        }
        catch (Pkcs12LoadLimitExceededException e)
        {
            throw KeyErrors.TooManyIterations(source, "a PKCS#12 (.pfx) key derivation", Pkcs12LoaderLimits.Defaults.IndividualKdfIterationLimit ?? MaxMacIterations, KeyErrors.ExportPkcs12, e);
        }
        catch (CryptographicException e)
        {
            throw KeyErrors.Unreadable(source, "the PKCS#12 (.pfx) file passed its password check but its contents cannot be read; export it again (openssl pkcs12 -export ...)", e);
        }

        try
        {
            foreach (var certificate in collection)
            {
                if (certificate.HasPrivateKey)
                {
                    var rsa = certificate.GetRSAPrivateKey();
                    if (rsa is null)
                    {
                        throw KeyErrors.NotRsa(source, DescribeNonRsa(certificate));
                    }

                    bag.AddKey(rsa, source);
                }

                bag.AddCertificate(KeyInputReader.LoadCertificate(certificate.RawDataMemory.Span, source));
            }
        }
        finally
        {
            foreach (var certificate in collection)
            {
                certificate.Dispose();
            }
        }
    }

    private static string DescribeNonRsa(X509Certificate2 certificate)
    {
        using var ecdsa = certificate.GetECDsaPrivateKey();
        return ecdsa is not null ? "an EC (ECDSA) key" : $"a key of algorithm {certificate.PublicKey.Oid.FriendlyName ?? certificate.PublicKey.Oid.Value}";
    }

    /// <summary>Finds the password that opens the file: the one given, or for none an empty or absent one.</summary>
    public static string? ResolvePassword(byte[] pfx, string? passphrase, KeySource source)
    {
        Pkcs12Info info;
        try
        {
            info = Pkcs12Info.Decode(pfx, out _, skipCopy: true);
        }
        catch (CryptographicException e)
        {
            throw KeyErrors.Corrupt(source, "the PKCS#12 (.pfx) file", e);
        }

        if (info.IntegrityMode != Pkcs12IntegrityMode.Password)
        {
            return passphrase;
        }

        var iterations = MacIterations(pfx);
        if (iterations is null || iterations < 1 || iterations > MaxMacIterations)
        {
            throw KeyErrors.TooManyIterations(source, "a PKCS#12 (.pfx) MAC", MaxMacIterations, KeyErrors.ExportPkcs12);
        }

        if (!string.IsNullOrEmpty(passphrase))
        {
            return VerifyMac(info, passphrase, source)
                ? passphrase
                : throw KeyErrors.PassphraseIncorrect(source, "the PKCS#12 (.pfx) file");
        }

        if (VerifyMac(info, string.Empty, source))
        {
            return string.Empty;
        }

        if (VerifyMac(info, null, source))
        {
            return null;
        }

        throw KeyErrors.PassphraseRequired(source, "a password-protected PKCS#12 (.pfx) file");
    }

    private static bool VerifyMac(Pkcs12Info info, string? password, KeySource source)
    {
        try
        {
            return info.VerifyMac(password);
        }
        catch (CryptographicException e)
        {
            // An unknown MAC digest, for one: the file is not one this platform can check.
            throw KeyErrors.Corrupt(source, "the PKCS#12 (.pfx) file's integrity check (its MAC)", e);
        }
    }

    /// <summary>PFX ::= SEQUENCE { version, authSafe, macData SEQUENCE { mac, macSalt, iterations INTEGER DEFAULT 1 } }.</summary>
    private static int? MacIterations(byte[] pfx)
    {
        try
        {
            var outer = new AsnReader(pfx, AsnEncodingRules.BER).ReadSequence();
            outer.ReadEncodedValue();
            outer.ReadEncodedValue();
            if (!outer.HasData)
            {
                return 1;
            }

            var macData = outer.ReadSequence();
            macData.ReadEncodedValue();
            macData.ReadEncodedValue();
            return !macData.HasData ? 1 : macData.TryReadInt32(out var iterations) ? iterations : null;
        }
        catch (AsnContentException)
        {
            return null;
        }
    }
}
