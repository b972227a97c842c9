using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertCredentials.Keys;

/// <summary>
/// What the inputs held, gathered before deciding which key and certificate to use. Owns everything it holds until
/// a <c>Release</c> call hands an item over, and disposes the rest.
/// </summary>
internal sealed class KeyBag : IDisposable
{
    private readonly List<(RSA Key, KeySource Source)> _keys = [];
    private readonly List<X509Certificate2> _certificates = [];
    private readonly List<string> _warnings = [];

    public IReadOnlyList<(RSA Key, KeySource Source)> Keys => _keys;

    public IReadOnlyList<X509Certificate2> Certificates => _certificates;

    public IReadOnlyList<string> Warnings => _warnings;

    public bool SawPublicKey { get; set; }

    /// <summary>Keys and certificates read so far, duplicates included: tells what one input held.</summary>
    public int KeysSeen { get; private set; }

    /// <inheritdoc cref="KeysSeen"/>
    public int CertificatesSeen { get; private set; }

    /// <summary>Adds a key unless the same key is already here (a PKCS#12 and a PEM of one key, say).</summary>
    public void AddKey(RSA key, KeySource source)
    {
        KeysSeen++;
        var parameters = key.ExportParameters(false);
        if (_keys.Exists(k => RsaPublicKeys.Same(k.Key.ExportParameters(false), parameters)))
        {
            key.Dispose();
            return;
        }

        _keys.Add((key, source));
    }

    public void AddCertificate(X509Certificate2 certificate)
    {
        CertificatesSeen++;
        if (_certificates.Exists(c => c.RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span)))
        {
            certificate.Dispose();
            return;
        }

        _certificates.Add(certificate);
    }

    public void AddWarning(string warning) => _warnings.Add(warning);

    /// <summary>Hands ownership of a key over to the caller.</summary>
    public void Release(RSA key) => _keys.RemoveAll(k => ReferenceEquals(k.Key, key));

    /// <summary>Hands ownership of a certificate over to the caller.</summary>
    public void Release(X509Certificate2 certificate) => _certificates.Remove(certificate);

    public void Dispose()
    {
        foreach (var (key, _) in _keys)
        {
            key.Dispose();
        }

        foreach (var certificate in _certificates)
        {
            certificate.Dispose();
        }

        _keys.Clear();
        _certificates.Clear();
    }
}
