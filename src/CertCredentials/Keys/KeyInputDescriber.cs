using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;

namespace CertCredentials.Keys;

/// <summary>
/// Names what an input holds, item by item, with the same recognition as <see cref="KeyInputReader"/> (PEM blocks in
/// any pasted shape, base64, DER, PKCS#12) but without decrypting a key: forms and encryption schemes, and the
/// certificates. For <c>certcred inspect</c>, which says what a file is even when its passphrase is not at hand.
/// </summary>
internal static class KeyInputDescriber
{
    public static IReadOnlyList<KeyInputItem> DescribeFile(string path, KeySource source, string option, string? passphrase)
    {
        var bytes = KeyInputReader.ReadFileBytes(path, source, option);
        try
        {
            var items = new List<KeyInputItem>();
            if (KeyInputReader.IsBinary(bytes))
            {
                DescribeBinary(bytes, "DER", source, passphrase, items);
            }
            else
            {
                DescribeText(KeyInputReader.DecodeText(bytes), source, passphrase, items);
            }

            return items;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    private static void DescribeText(string text, KeySource source, string? passphrase, List<KeyInputItem> items)
    {
        var normalized = PastedText.Normalize(text);
        if (PemReader.LooksLikePem(normalized))
        {
            foreach (var block in PemReader.ReadBlocks(normalized, source))
            {
                items.Add(DescribeBlock(block, source));
            }

            return;
        }

        if (KeyInputReader.TryDecodeBase64(normalized, out var der))
        {
            try
            {
                DescribeBinary(der, "base64 text of", source, passphrase, items);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(der);
            }

            return;
        }

        throw KeyErrors.NotKeyOrCertificate(source);
    }

    private static KeyInputItem DescribeBlock(PemBlock block, KeySource source)
    {
        var pem = $"PEM '{block.Label}'";
        switch (block.Label)
        {
            case "PRIVATE KEY" or "RSA PRIVATE KEY" or "ENCRYPTED PRIVATE KEY" when block.IsLegacyEncrypted:
                return new($"{pem}: private key, encrypted with {LegacyPemDecryptor.Describe(block)}");
            case "PRIVATE KEY" or "RSA PRIVATE KEY" or "ENCRYPTED PRIVATE KEY":
                return new($"{pem}: {DescribeDerKey(block.Der, source)}");
            case "EC PRIVATE KEY":
                return new($"{pem}: an EC (ECDSA) private key, which Entra certificate credentials cannot use (they need RSA)");
            case "DSA PRIVATE KEY":
                return new($"{pem}: a DSA private key, which Entra certificate credentials cannot use (they need RSA)");
            case "OPENSSH PRIVATE KEY":
                return new($"{pem}: an OpenSSH private key, not an X.509 key format");
            case "CERTIFICATE" or "X509 CERTIFICATE" or "TRUSTED CERTIFICATE":
                return new($"{pem}: X.509 certificate", block.Der[..DerClassifier.FirstValueLength(block.Der)]);
            case "PUBLIC KEY" or "RSA PUBLIC KEY":
                return new($"{pem}: a public key (not a private key)");
            default:
                return new($"{pem}: not a key or certificate (ignored)");
        }
    }

    private static void DescribeBinary(byte[] der, string wrapping, KeySource source, string? passphrase, List<KeyInputItem> items)
    {
        switch (DerClassifier.Classify(der))
        {
            case DerKind.Pkcs12:
                DescribePkcs12(der, wrapping, source, passphrase, items);
                break;
            case DerKind.Pkcs8 or DerKind.EncryptedPkcs8 or DerKind.Pkcs1:
                items.Add(new($"{wrapping} {DescribeDerKey(der, source)}"));
                break;
            case DerKind.Sec1EcPrivateKey:
                items.Add(new($"{wrapping} an EC (ECDSA) private key, which Entra certificate credentials cannot use (they need RSA)"));
                break;
            case DerKind.Certificate:
                items.Add(new($"{wrapping} X.509 certificate", der[..DerClassifier.FirstValueLength(der)]));
                break;
            case DerKind.SubjectPublicKeyInfo:
                items.Add(new($"{wrapping} a public key (not a private key)"));
                break;
            default:
                throw KeyErrors.NotKeyOrCertificate(source);
        }
    }

    private static string DescribeDerKey(byte[] der, KeySource source)
    {
        switch (DerClassifier.Classify(der))
        {
            case DerKind.EncryptedPkcs8:
                var scheme = PrivateKeyDecoder.DescribeEncryption(der, source, out var supported);
                return supported
                    ? $"encrypted PKCS#8 private key ({scheme})"
                    : $"encrypted PKCS#8 private key ({scheme}, which this library cannot decrypt)";
            case DerKind.Pkcs8:
                return $"PKCS#8 private key, unencrypted, {Pkcs8Algorithm(der)}";
            case DerKind.Pkcs1:
                return "PKCS#1 RSA private key, unencrypted";
            default:
                throw KeyErrors.Corrupt(source, "the private key");
        }
    }

    private static string Pkcs8Algorithm(byte[] der)
    {
        try
        {
            var algorithm = new AsnReader(der, AsnEncodingRules.BER).ReadSequence();
            algorithm.ReadInteger();
            var oid = algorithm.ReadSequence().ReadObjectIdentifier();
            return Oids.NonRsaKeyName(oid) is { } name ? $"{name[(name.IndexOf(' ', StringComparison.Ordinal) + 1)..]}" : "RSA";
        }
        catch (AsnContentException)
        {
            return "of an unreadable algorithm";
        }
    }

    /// <summary>
    /// The MAC, and each safe: in the clear (its bags listed) or encrypted (its scheme named, and its bags listed when
    /// the password opens it). Iteration counts are checked before any key derivation runs, as the reader does.
    /// </summary>
    private static void DescribePkcs12(byte[] pfx, string wrapping, KeySource source, string? passphrase, List<KeyInputItem> items)
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

        var integrity = info.IntegrityMode switch
        {
            Pkcs12IntegrityMode.Password => $"password-protected (MAC with {MacDigest(pfx)})",
            Pkcs12IntegrityMode.PublicKey => "signed (public-key integrity)",
            _ => "without integrity protection",
        };
        items.Add(new($"{wrapping} PKCS#12 (.pfx/.p12), {integrity}"));

        string? password = null;
        var opened = false;
        if (info.IntegrityMode == Pkcs12IntegrityMode.Password)
        {
            try
            {
                password = Pkcs12Reader.ResolvePassword(pfx, passphrase, source);
                opened = true;
            }
            catch (CertificateCredentialException e) when (e.Failure is CertificateCredentialFailure.PassphraseRequired or CertificateCredentialFailure.PassphraseIncorrect)
            {
                // Described as far as the password allows; the reader reports the password problem itself.
            }
        }

        var schemes = EncryptedSafeSchemes(pfx, source);
        var encryptedIndex = 0;
        foreach (var safe in info.AuthenticatedSafe)
        {
            if (safe.ConfidentialityMode == Pkcs12ConfidentialityMode.Password)
            {
                var scheme = encryptedIndex < schemes.Count ? schemes[encryptedIndex] : "an unknown scheme";
                encryptedIndex++;
                if (!opened)
                {
                    items.Add(new($"  safe encrypted with {scheme} (its contents need the password)"));
                    continue;
                }

                try
                {
                    safe.Decrypt(password);
                }
                catch (CryptographicException)
                {
                    items.Add(new($"  safe encrypted with {scheme}, which cannot be decrypted here"));
                    continue;
                }

                items.Add(new($"  safe encrypted with {scheme}:"));
            }
            else if (safe.ConfidentialityMode == Pkcs12ConfidentialityMode.PublicKey)
            {
                items.Add(new("  safe encrypted to a public key (not readable)"));
                continue;
            }
            else
            {
                items.Add(new("  safe in the clear:"));
            }

            foreach (var bag in safe.GetBags())
            {
                items.Add(bag switch
                {
                    Pkcs12CertBag { IsX509Certificate: true } cert => new("    X.509 certificate", CertificateBytes(cert)),
                    Pkcs12ShroudedKeyBag key => new($"    {DescribeDerKey(key.EncryptedPkcs8PrivateKey.ToArray(), source)}"),
                    Pkcs12KeyBag key => new($"    {DescribeDerKey(key.Pkcs8PrivateKey.ToArray(), source)}"),
                    _ => new($"    a bag of type {bag.GetBagId().Value} (ignored)"),
                });
            }
        }
    }

    /// <summary>The certificate's DER (EncodedCertificate is the bag value around it: an OCTET STRING).</summary>
    private static byte[] CertificateBytes(Pkcs12CertBag bag)
    {
        using var certificate = bag.GetCertificate();
        return certificate.RawData;
    }

    /// <summary>PFX ::= SEQUENCE { version, authSafe, macData SEQUENCE { DigestInfo SEQUENCE { algorithm, digest }, ... } }.</summary>
    private static string MacDigest(byte[] pfx)
    {
        try
        {
            var outer = new AsnReader(pfx, AsnEncodingRules.BER).ReadSequence();
            outer.ReadEncodedValue();
            outer.ReadEncodedValue();
            var oid = outer.ReadSequence().ReadSequence().ReadSequence().ReadObjectIdentifier();
            return oid switch
            {
                "1.3.14.3.2.26" => "SHA-1",
                "2.16.840.1.101.3.4.2.1" => "SHA-256",
                "2.16.840.1.101.3.4.2.2" => "SHA-384",
                "2.16.840.1.101.3.4.2.3" => "SHA-512",
                _ => oid,
            };
        }
        catch (AsnContentException)
        {
            return "an unreadable digest";
        }
    }

    /// <summary>
    /// The encryption scheme of each encrypted safe, in order: AuthenticatedSafe ::= SEQUENCE OF ContentInfo, and an
    /// encryptedData ContentInfo holds [0] EncryptedData { version, EncryptedContentInfo { type, algorithm, ... } }.
    /// The algorithm has the shape of an encrypted PKCS#8 key's, so the key's describer names it.
    /// </summary>
    private static List<string> EncryptedSafeSchemes(byte[] pfx, KeySource source)
    {
        const string EncryptedData = "1.2.840.113549.1.7.6";
        var schemes = new List<string>();
        try
        {
            var outer = new AsnReader(pfx, AsnEncodingRules.BER).ReadSequence();
            outer.ReadInteger();
            var authSafe = outer.ReadSequence();
            authSafe.ReadObjectIdentifier();
            var content = authSafe.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)).ReadOctetString();
            var contentInfos = new AsnReader(content, AsnEncodingRules.BER).ReadSequence();
            while (contentInfos.HasData)
            {
                var contentInfo = contentInfos.ReadSequence();
                if (contentInfo.ReadObjectIdentifier() != EncryptedData)
                {
                    continue;
                }

                var encryptedContentInfo = contentInfo.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true))
                    .ReadSequence();
                encryptedContentInfo.ReadInteger();
                var info = encryptedContentInfo.ReadSequence();
                info.ReadObjectIdentifier();
                var algorithm = info.ReadEncodedValue();
                var writer = new AsnWriter(AsnEncodingRules.DER);
                using (writer.PushSequence())
                {
                    writer.WriteEncodedValue(algorithm.Span);
                    writer.WriteOctetString([]);
                }

                var scheme = PrivateKeyDecoder.DescribeEncryption(writer.Encode(), source, out var supported);
                schemes.Add(supported ? scheme : $"{scheme} (which this library cannot decrypt)");
            }
        }
        catch (AsnContentException)
        {
            // Unusual layouts are described without their schemes.
        }

        return schemes;
    }
}
