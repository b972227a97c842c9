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
    public static void Read(byte[] pfx, string? passphrase, KeySource source, KeyBag bag)
    {
        var password = ResolvePassword(pfx, passphrase, source);

        X509Certificate2Collection collection;
        try
        {
            var flags = OperatingSystem.IsMacOS() ? X509KeyStorageFlags.DefaultKeySet : X509KeyStorageFlags.EphemeralKeySet;
            collection = X509CertificateLoader.LoadPkcs12Collection(pfx, password, flags | X509KeyStorageFlags.Exportable);
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

                bag.AddCertificate(X509CertificateLoader.LoadCertificate(certificate.RawDataMemory.Span));
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
    private static string? ResolvePassword(byte[] pfx, string? passphrase, KeySource source)
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

        if (!string.IsNullOrEmpty(passphrase))
        {
            return info.VerifyMac(passphrase)
                ? passphrase
                : throw KeyErrors.PassphraseIncorrect(source, "the PKCS#12 (.pfx) file");
        }

        if (info.VerifyMac(string.Empty))
        {
            return string.Empty;
        }

        if (info.VerifyMac(null))
        {
            return null;
        }

        throw KeyErrors.PassphraseRequired(source, "a password-protected PKCS#12 (.pfx) file");
    }
}
