using System.Security.Cryptography.X509Certificates;
using CertCredentials.Keys;

namespace CertCredentials.Tool.Files;

/// <summary>
/// A key or certificate file as the library reads it (<see cref="KeyInputReader"/>: every PEM, DER, PKCS#12 and
/// bundle form), and the certificate of its key as the library picks it (<see cref="KeyMaterialLoader"/>), so the
/// tool never judges a file differently from the library. Holds public parts only: the key is not kept.
/// </summary>
internal sealed class KeyFile : IDisposable
{
    private KeyFile(string path, List<X509Certificate2> certificates, int keyCount, int? keySize, X509Certificate2? leaf,
                    CertificateCredentialException? leafFailure, IReadOnlyList<string> warnings)
    {
        Path = path;
        Certificates = certificates;
        KeyCount = keyCount;
        KeySize = keySize;
        Leaf = leaf;
        LeafFailure = leafFailure;
        Warnings = warnings;
    }

    public string Path { get; }

    /// <summary>Every certificate in the file, in the order read.</summary>
    public IReadOnlyList<X509Certificate2> Certificates { get; }

    /// <summary>How many distinct private keys the file holds.</summary>
    public int KeyCount { get; }

    /// <summary>The size of the key in bits, when the file holds exactly one.</summary>
    public int? KeySize { get; }

    /// <summary>The certificate of the key, when the file holds one key and certificates, and the library accepts them.</summary>
    public X509Certificate2? Leaf { get; }

    /// <summary>Why the library would not pick a certificate for the key (mismatch, key too small), when it would not.</summary>
    public CertificateCredentialException? LeafFailure { get; }

    /// <summary>The library's warnings about the file (readable by others), none secret.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>The library's name for this file in its messages.</summary>
    public static KeySource SourceOf(string path) => new($"the file '{path}'", IsCertificateInput: false, path);

    /// <exception cref="CertificateCredentialException">The file cannot be read as a key or certificate, or the passphrase is missing or wrong.</exception>
    public static KeyFile Read(string path, string? passphrase)
    {
        using var bag = new KeyBag();
        KeyInputReader.ReadFile(path, SourceOf(path), "the command line", passphrase, bag);
        var certificates = bag.Certificates.Select(c => X509CertificateLoader.LoadCertificate(c.RawDataMemory.Span)).ToList();
        int? keySize = bag.Keys.Count == 1 ? bag.Keys[0].Key.KeySize : null;
        X509Certificate2? leaf = null;
        CertificateCredentialException? leafFailure = null;
        if (bag.Keys.Count == 1 && certificates.Count > 0)
        {
            try
            {
                using var material = KeyMaterialLoader.Load(new CertificateClientCredentialOptions { PrivateKeyPath = path, PrivateKeyPassphrase = passphrase });
                leaf = certificates.First(c => c.RawDataMemory.Span.SequenceEqual(material.Certificate!.RawDataMemory.Span));
            }
            catch (CertificateCredentialException e)
            {
                leafFailure = e;
            }
        }

        return new KeyFile(path, certificates, bag.Keys.Count, keySize, leaf, leafFailure, [.. bag.Warnings]);
    }

    public void Dispose()
    {
        foreach (var certificate in Certificates)
        {
            certificate.Dispose();
        }
    }
}
