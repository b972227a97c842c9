using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace CertCredentials.Keys;

/// <summary>
/// Reads one input (option text or file) into a <see cref="KeyBag"/>, recognising its form by content: PEM blocks of
/// any kind and in any pasted shape, base64 or raw DER of PKCS#12, PKCS#8, PKCS#1 or a certificate.
/// </summary>
internal static class KeyInputReader
{
    /// <summary>No key, certificate or chain file comes near this; a larger input is a mistake, not a key.</summary>
    public const int MaxInputBytes = 1024 * 1024;

    public static void ReadText(string text, KeySource source, string? passphrase, KeyBag bag)
    {
        if (text.Length > MaxInputBytes)
        {
            throw KeyErrors.TooLarge(source, text.Length);
        }

        var normalized = PastedText.Normalize(text);
        if (PemReader.LooksLikePem(normalized))
        {
            foreach (var block in PemReader.ReadBlocks(normalized, source))
            {
                ReadBlock(block, source, passphrase, bag);
            }

            return;
        }

        if (TryDecodeBase64(normalized, out var der))
        {
            try
            {
                ReadBinary(der, source, passphrase, bag, fromBase64: true);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(der);
            }

            return;
        }

        if (LooksLikePath(normalized) && source.Path is null)
        {
            throw KeyErrors.LooksLikeAPath(source, source.IsCertificateInput ? "Certificate" : "PrivateKey");
        }

        throw KeyErrors.NotKeyOrCertificate(source);
    }

    /// <summary>Base64 text (whitespace ignored) as bytes; the caller zeroes them, which may be a key.</summary>
    public static bool TryDecodeBase64(string normalized, out byte[] der)
    {
        var compact = new string(normalized.Where(c => !char.IsWhiteSpace(c)).ToArray());
        var bytes = new byte[compact.Length * 3 / 4 + 3];
        if (compact.Length > 0 && Convert.TryFromBase64Chars(compact, bytes, out var written))
        {
            der = bytes[..written];
            CryptographicOperations.ZeroMemory(bytes);
            return true;
        }

        der = [];
        return false;
    }

    public static void ReadFile(string path, KeySource source, string option, string? passphrase, KeyBag bag, string? contentRoot = null)
    {
        var bytes = ReadFileBytes(path, source, option, contentRoot);
        try
        {
            if (!source.IsCertificateInput)
            {
                WarnIfReadableByOthers(path, bag);
            }

            ReadBytes(bytes, source, passphrase, bag);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>The content of a file, or bytes handed over in code: DER (PKCS#12, a key, a certificate) or text in any form <see cref="ReadText"/> reads.</summary>
    public static void ReadBytes(byte[] bytes, KeySource source, string? passphrase, KeyBag bag)
    {
        if (bytes.Length > MaxInputBytes)
        {
            throw KeyErrors.TooLarge(source, bytes.Length);
        }

        if (IsBinary(bytes))
        {
            ReadBinary(bytes, source, passphrase, bag, fromBase64: false);
            return;
        }

        ReadText(DecodeText(bytes), source, passphrase, bag);
    }

    /// <summary>The bytes of a key or certificate file, refused typed when missing, a directory, too large or unreadable.</summary>
    public static byte[] ReadFileBytes(string path, KeySource source, string option, string? contentRoot = null)
    {
        if (Directory.Exists(path))
        {
            throw KeyErrors.FileIsDirectory(path, option);
        }

        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw KeyErrors.FileMissing(source, path, option, contentRoot);
        }

        if (file.Length > MaxInputBytes)
        {
            throw KeyErrors.FileTooLarge(path, option, file.Length);
        }

        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw KeyErrors.FileUnreadable(path, option, e);
        }
    }

    /// <summary>Whether file bytes are raw DER (read as binary) rather than text.</summary>
    public static bool IsBinary(byte[] bytes) => bytes.Length > 0 && bytes[0] == 0x30 && DerClassifier.Classify(bytes) != DerKind.Unknown;

    public static void ReadBinary(byte[] der, KeySource source, string? passphrase, KeyBag bag, bool fromBase64)
    {
        switch (DerClassifier.Classify(der))
        {
            case DerKind.Pkcs12:
                Pkcs12Reader.Read(der, passphrase, source, bag);
                break;
            case DerKind.Pkcs8:
                bag.AddKey(PrivateKeyDecoder.FromPkcs8(der, source), source);
                break;
            case DerKind.EncryptedPkcs8:
                bag.AddKey(PrivateKeyDecoder.FromEncryptedPkcs8(der, passphrase, source), source);
                break;
            case DerKind.Pkcs1:
                bag.AddKey(PrivateKeyDecoder.FromPkcs1(der, source), source);
                break;
            case DerKind.Sec1EcPrivateKey:
                throw KeyErrors.NotRsa(source, "an EC (ECDSA) key");
            case DerKind.Certificate:
                bag.AddCertificate(LoadCertificate(der, source));
                break;
            case DerKind.SubjectPublicKeyInfo:
                bag.SawPublicKey = true;
                break;
            default:
                throw fromBase64
                    ? KeyErrors.Unreadable(source, "it is base64, but what it decodes to is neither a PKCS#12 (.pfx) file, a DER key nor a certificate. If it was cut short when copied, copy it again")
                    : KeyErrors.NotKeyOrCertificate(source);
        }
    }

    public static X509Certificate2 LoadCertificate(ReadOnlySpan<byte> der, KeySource source)
    {
        X509Certificate2 certificate;
        try
        {
            // openssl's TRUSTED CERTIFICATE appends trust settings after the certificate: read the first value only.
            certificate = X509CertificateLoader.LoadCertificate(der[..DerClassifier.FirstValueLength(der)]);
        }
        catch (CryptographicException e)
        {
            throw KeyErrors.Corrupt(source, "the certificate", e);
        }

        try
        {
            // The loader decodes lazily: read now every field used later, so a damaged one fails here, typed.
            _ = certificate.Subject;
            _ = certificate.NotAfter;
            _ = certificate.NotBefore;
            _ = certificate.IssuerName.RawData;
            if (certificate.PublicKey.Oid.Value == Oids.Rsa)
            {
                using var publicKey = certificate.GetRSAPublicKey();
            }

            return certificate;
        }
        catch (CryptographicException e)
        {
            certificate.Dispose();
            throw KeyErrors.Corrupt(source, "the certificate", e);
        }
    }

    private static void ReadBlock(PemBlock block, KeySource source, string? passphrase, KeyBag bag)
    {
        switch (block.Label)
        {
            case "PRIVATE KEY" or "RSA PRIVATE KEY" or "ENCRYPTED PRIVATE KEY":
                bag.AddKey(ReadKeyBlock(block, source, passphrase), source);
                break;
            case "EC PRIVATE KEY":
                throw KeyErrors.NotRsa(source, "an EC (ECDSA) key");
            case "DSA PRIVATE KEY":
                throw KeyErrors.NotRsa(source, "a DSA key");
            case "OPENSSH PRIVATE KEY":
                throw KeyErrors.OpenSsh(source);
            case "CERTIFICATE" or "X509 CERTIFICATE" or "TRUSTED CERTIFICATE":
                bag.AddCertificate(LoadCertificate(block.Der, source));
                break;
            case "PUBLIC KEY" or "RSA PUBLIC KEY":
                bag.SawPublicKey = true;
                break;
            default:
                if (block.Label.EndsWith("PRIVATE KEY", StringComparison.Ordinal))
                {
                    throw KeyErrors.Unreadable(source, $"'{block.Label}' is not a key format this library reads; export the key as PKCS#8 (openssl pkcs8 -topk8 ...)");
                }

                // Parameters, requests, CRLs: not ours, and harmless next to a key.
                break;
        }
    }

    private static RSA ReadKeyBlock(PemBlock block, KeySource source, string? passphrase)
    {
        if (!block.IsLegacyEncrypted)
        {
            return block.Label == "ENCRYPTED PRIVATE KEY" || DerClassifier.Classify(block.Der) == DerKind.EncryptedPkcs8
                ? PrivateKeyDecoder.FromEncryptedPkcs8(block.Der, passphrase, source)
                : DerClassifier.Classify(block.Der) == DerKind.Pkcs8
                    ? PrivateKeyDecoder.FromPkcs8(block.Der, source)
                    : PrivateKeyDecoder.FromPkcs1(block.Der, source);
        }

        var der = LegacyPemDecryptor.Decrypt(block, passphrase, source);
        try
        {
            // A wrong passphrase that happens to leave valid padding still yields garbage, caught here.
            return DerClassifier.Classify(der) switch
            {
                DerKind.Pkcs1 => PrivateKeyDecoder.FromPkcs1(der, source),
                DerKind.Pkcs8 => PrivateKeyDecoder.FromPkcs8(der, source),
                _ => throw KeyErrors.PassphraseIncorrect(source, $"the key ({LegacyPemDecryptor.Describe(block)})"),
            };
        }
        catch (CertificateCredentialException e) when (e.Failure is CertificateCredentialFailure.PrivateKeyUnreadable)
        {
            throw KeyErrors.PassphraseIncorrect(source, $"the key ({LegacyPemDecryptor.Describe(block)})", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
        }
    }

    public static string DecodeText(byte[] bytes)
    {
        // Windows PowerShell's Out-File writes UTF-16 with a byte-order mark; StreamReader honours any BOM.
        using var reader = new StreamReader(new MemoryStream(bytes, writable: false), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    private static bool LooksLikePath(string text) =>
        !text.Contains('\n', StringComparison.Ordinal) && text.Length < 1024 &&
        (text.StartsWith('/') || text.StartsWith('~') || text.StartsWith("./", StringComparison.Ordinal) || text.StartsWith("..", StringComparison.Ordinal) ||
         text.StartsWith(@"\\", StringComparison.Ordinal) || (text.Length > 2 && char.IsAsciiLetter(text[0]) && text[1] == ':') ||
         text.EndsWith(".pem", StringComparison.OrdinalIgnoreCase) || text.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) ||
         text.EndsWith(".p12", StringComparison.OrdinalIgnoreCase) || text.EndsWith(".key", StringComparison.OrdinalIgnoreCase) ||
         text.EndsWith(".crt", StringComparison.OrdinalIgnoreCase) || text.EndsWith(".cer", StringComparison.OrdinalIgnoreCase));

    private static void WarnIfReadableByOthers(string path, KeyBag bag)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var mode = File.GetUnixFileMode(path);
        const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;
        if ((mode & others) != 0)
        {
            bag.AddWarning($"The private key file '{path}' can be read by its group or by other users (mode {Convert.ToString((int)mode, 8)}). Restrict it: chmod 600 '{path}'.");
        }
    }
}
