using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace CertCredentials.Keys;

/// <summary>
/// Reads the key and certificate inputs of the options into one <see cref="KeyMaterial"/>: exactly one RSA key of
/// 2048 bits or more that signs correctly, the certificate that matches it (picked by public key, not by position),
/// its chain, and a thumbprint checked against the certificate.
/// </summary>
internal static class KeyMaterialLoader
{
    internal const int MinimumKeySize = 2048;
    private static readonly byte[] SelfTestData = Encoding.ASCII.GetBytes("CertCredentials key self-test");

    public static KeyMaterial Load(CertificateClientCredentialOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return WithPassphrase(options.PrivateKeyPassphrase, passphrase => Load(options, passphrase));
    }

    private static KeyMaterial Load(CertificateClientCredentialOptions options, string? passphrase)
    {
        using var bag = new KeyBag();

        var keySource = Read(options.PrivateKey, options.PrivateKeyPath, "PrivateKey", KeySource.PrivateKeyOption, KeySource.PrivateKeyFile,
                             passphrase, bag, options.ContentRoot)
            ?? throw new CertificateCredentialException(CertificateCredentialFailure.PrivateKeyMissing,
                "No private key was given. Set PrivateKey to the PEM text of the key (or base64 of a PKCS#12 file), or PrivateKeyPath to a PEM or PKCS#12 file.");
        var (keysBefore, certificatesBefore) = (bag.KeysSeen, bag.CertificatesSeen);
        var certificateSource = Read(options.Certificate, options.CertificatePath, "Certificate", KeySource.CertificateOption, KeySource.CertificateFile,
             passphrase, bag, options.ContentRoot);

        // A certificate input that held a key and no certificate: said as such if no certificate is found at all.
        var keyOnly = certificateSource is not null && bag.CertificatesSeen == certificatesBefore && bag.KeysSeen > keysBefore ? certificateSource : null;
        return Complete(bag, keySource, options.CertificateThumbprint, keyOnly);
    }

    /// <summary>
    /// Loads with the passphrase as given; when that is refused as incorrect and the passphrase has surrounding
    /// whitespace (a secret file written with <c>echo</c> ends in a newline), loads once more with it trimmed, and marks
    /// the key material so the credential warns once. A trimmed passphrase that fails as well gives the first refusal.
    /// </summary>
    private static KeyMaterial WithPassphrase(string? passphrase, Func<string?, KeyMaterial> load)
    {
        try
        {
            return load(passphrase);
        }
        catch (CertificateCredentialException first) when (first.Failure == CertificateCredentialFailure.PassphraseIncorrect &&
                                                            passphrase is not null && passphrase.Trim().Length != passphrase.Length)
        {
            KeyMaterial trimmed;
            try
            {
                trimmed = load(passphrase.Trim());
            }
            catch (CertificateCredentialException e) when (e.Failure == CertificateCredentialFailure.PassphraseIncorrect)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
                throw;
            }

            trimmed.PassphraseTrimmed = true;
            return trimmed;
        }
    }

    /// <summary>
    /// Key material from one text given in code (<see cref="ClientCertificate.FromPem"/>): every form the options read,
    /// with the same refusals; the certificate must come with the key, since no thumbprint is given beside it.
    /// </summary>
    public static KeyMaterial FromText(string text, string? passphrase, KeySource source)
    {
        ArgumentNullException.ThrowIfNull(text);
        return WithPassphrase(passphrase, p =>
        {
            using var bag = new KeyBag();
            KeyInputReader.ReadText(text, source, p, bag);
            return Complete(bag, source, thumbprintText: null);
        });
    }

    /// <summary>Key material from bytes given in code (<see cref="ClientCertificate.FromPkcs12"/>): PKCS#12 as read from a file, or its base64 text.</summary>
    public static KeyMaterial FromBytes(byte[] bytes, string? password, KeySource source)
    {
        return WithPassphrase(password, p =>
        {
            using var bag = new KeyBag();
            KeyInputReader.ReadBytes(bytes, source, p, bag);
            return Complete(bag, source, thumbprintText: null);
        });
    }

    /// <summary>Exactly one key of 2048 bits or more that signs, its certificate (by public key) and chain, and the thumbprint.</summary>
    private static KeyMaterial Complete(KeyBag bag, KeySource keySource, string? thumbprintText, KeySource? keyOnlyCertificateInput = null)
    {
        if (bag.Keys.Count == 0)
        {
            throw bag.Certificates.Count > 0 ? KeyErrors.CertificateWithoutKey(keySource)
                : bag.SawPublicKey ? KeyErrors.PublicKeyOnly(keySource)
                : KeyErrors.NoKeyFound(keySource);
        }

        if (bag.Keys.Count > 1)
        {
            throw KeyErrors.TooManyKeys(bag.Keys.Count);
        }

        var (key, source) = bag.Keys[0];
        if (key.KeySize < MinimumKeySize)
        {
            throw KeyErrors.TooSmall(source, key.KeySize);
        }

        SelfTest(key, source);

        var given = string.IsNullOrWhiteSpace(thumbprintText) ? null : CertificateThumbprint.Parse(thumbprintText);
        var leaf = FindLeaf(key, bag.Certificates);
        CertificateThumbprint thumbprint;
        IReadOnlyList<X509Certificate2> chain = [];
        if (leaf is not null)
        {
            var sha256 = CertificateThumbprint.Compute(leaf, ThumbprintAlgorithm.Sha256);
            if (given is not null && !given.Matches(leaf))
            {
                throw KeyErrors.ThumbprintMismatch(given, CertificateThumbprint.Compute(leaf, ThumbprintAlgorithm.Sha1), sha256, leaf.Subject);
            }

            thumbprint = sha256;
            chain = BuildChain(leaf, bag.Certificates);
            foreach (var certificate in chain)
            {
                bag.Release(certificate);
            }
        }
        else
        {
            // Options may name the certificate by thumbprint alone; text or bytes given in code have nowhere else to say it.
            thumbprint = given ?? throw (keySource == KeySource.FromPem || keySource == KeySource.FromPkcs12
                ? KeyErrors.CertificateMissing(keySource)
                : keyOnlyCertificateInput is not null ? KeyErrors.KeyInsteadOfCertificate(keyOnlyCertificateInput)
                : KeyErrors.ThumbprintMissing());
        }

        bag.Release(key);
        return new KeyMaterial(key, leaf is null ? null : X509CertificateLoader.LoadCertificate(leaf.RawDataMemory.Span), chain, thumbprint, [.. bag.Warnings]);
    }

    private static KeySource? Read(string? text, string? path, string option, KeySource textSource, Func<string, KeySource> fileSource,
                                   string? passphrase, KeyBag bag, string? contentRoot)
    {
        var hasText = !string.IsNullOrWhiteSpace(text);
        var hasPath = !string.IsNullOrWhiteSpace(path);
        if (hasText && hasPath)
        {
            throw KeyErrors.BothGiven(option);
        }

        if (hasText)
        {
            KeyInputReader.ReadText(text!, textSource, passphrase, bag);
            return textSource;
        }

        if (hasPath)
        {
            var source = fileSource(path!.Trim());
            KeyInputReader.ReadFile(path.Trim(), source, option + "Path", passphrase, bag, contentRoot);
            return source;
        }

        return null;
    }

    /// <summary>
    /// Signs and verifies once, so a key whose parts do not fit together (a corrupted file that still parses) fails
    /// here with a clear message instead of later as AADSTS700027.
    /// </summary>
    private static void SelfTest(RSA key, KeySource source)
    {
        try
        {
            var signature = key.SignData(SelfTestData, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            if (key.VerifyData(SelfTestData, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
            {
                return;
            }
        }
        catch (CryptographicException)
        {
        }

        throw KeyErrors.Corrupt(source, "the RSA private key (a test signature does not verify with its own public key)");
    }

    private static X509Certificate2? FindLeaf(RSA key, IReadOnlyList<X509Certificate2> certificates)
    {
        if (certificates.Count == 0)
        {
            return null;
        }

        // The whole public key: a certificate whose exponent was damaged shares the modulus, and Entra would refuse it
        // (AADSTS700027) at the first token request instead of here.
        var own = key.ExportParameters(false);
        foreach (var certificate in certificates)
        {
            using var publicKey = certificate.GetRSAPublicKey();
            if (publicKey is not null && RsaPublicKeys.Same(publicKey.ExportParameters(false), own))
            {
                return certificate;
            }
        }

        var first = certificates[0];
        throw KeyErrors.KeyMismatch(first.Subject, CertificateThumbprint.Compute(first, ThumbprintAlgorithm.Sha1), certificates.Count);
    }

    /// <summary>Leaf first, then each issuer found among the given certificates, stopping at a self-signed root.</summary>
    private static List<X509Certificate2> BuildChain(X509Certificate2 leaf, IReadOnlyList<X509Certificate2> certificates)
    {
        var chain = new List<X509Certificate2> { leaf };
        var current = leaf;
        while (current.SubjectName.RawData.AsSpan().SequenceEqual(current.IssuerName.RawData) is false)
        {
            var issuer = certificates.FirstOrDefault(c => !chain.Contains(c) && c.SubjectName.RawData.AsSpan().SequenceEqual(current.IssuerName.RawData));
            if (issuer is null)
            {
                break;
            }

            chain.Add(issuer);
            current = issuer;
        }

        return chain;
    }
}
