namespace CertCredentials.Testing.KeyVault;

/// <summary>
/// The vault's objects: certificate versions (each with its key and secret of the same name and version) and plain
/// secrets, oldest version first. Names are case-insensitive, as in Key Vault. Thread-safe.
/// </summary>
internal sealed class VaultStore : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<VaultCertificate>> _certificates = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<VaultSecret>> _secrets = new(StringComparer.OrdinalIgnoreCase);

    public void Add(VaultCertificate certificate)
    {
        lock (_lock)
        {
            if (_secrets.ContainsKey(certificate.Name))
            {
                throw new InvalidOperationException(
                    $"A secret named '{certificate.Name}' exists: a certificate's secret would share its name (Key Vault answers 409 Conflict).");
            }

            AddVersion(_certificates, certificate.Name, certificate);
        }
    }

    public void Add(VaultSecret secret)
    {
        lock (_lock)
        {
            if (_certificates.ContainsKey(secret.Name))
            {
                throw new InvalidOperationException(
                    $"'{secret.Name}' is a certificate's secret: set a new version through the certificate instead.");
            }

            AddVersion(_secrets, secret.Name, secret);
        }
    }

    public bool ContainsCertificate(string name)
    {
        lock (_lock)
        {
            return _certificates.ContainsKey(name);
        }
    }

    /// <summary>The version asked for, or the newest when <paramref name="version"/> is null or empty.</summary>
    public VaultCertificate? FindCertificate(string name, string? version)
    {
        lock (_lock)
        {
            return FindVersion(_certificates, name, version, v => v.Version);
        }
    }

    public IReadOnlyList<VaultCertificate> CertificateVersions(string name)
    {
        lock (_lock)
        {
            return _certificates.TryGetValue(name, out var versions) ? [.. versions] : [];
        }
    }

    public VaultSecret? FindSecret(string name, string? version)
    {
        lock (_lock)
        {
            return FindVersion(_secrets, name, version, v => v.Version);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var version in _certificates.Values.SelectMany(v => v))
            {
                version.Dispose();
            }

            _certificates.Clear();
            _secrets.Clear();
        }
    }

    private static void AddVersion<T>(Dictionary<string, List<T>> map, string name, T item)
    {
        if (!map.TryGetValue(name, out var versions))
        {
            map[name] = versions = [];
        }

        versions.Add(item);
    }

    private static T? FindVersion<T>(Dictionary<string, List<T>> map, string name, string? version, Func<T, string> versionOf)
        where T : class
    {
        if (!map.TryGetValue(name, out var versions) || versions.Count == 0)
        {
            return null;
        }

        return string.IsNullOrEmpty(version)
            ? versions[^1]
            : versions.Find(v => string.Equals(versionOf(v), version, StringComparison.OrdinalIgnoreCase));
    }
}
