namespace CertCredentials.Testing.TokenService;

/// <summary>An application registered in one tenant: its certificates and the resources it may get tokens for.</summary>
internal sealed class RegisteredApplication
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _resources = new(StringComparer.OrdinalIgnoreCase);
    private RegisteredCertificate[] _certificates = [];
    private AccessTokenSettings? _tokenSettings;

    public RegisteredApplication(string tenant, string clientId)
    {
        Tenant = tenant;
        ClientId = clientId;
    }

    /// <summary>The tenant as registered.</summary>
    public string Tenant { get; }

    /// <summary>The client ID as registered.</summary>
    public string ClientId { get; }

    /// <summary>The object ID of the application's service principal (the <c>oid</c>/<c>sub</c> of its tokens).</summary>
    public string ObjectId { get; } = Guid.NewGuid().ToString();

    /// <summary>What the application's access tokens carry (lifetime, roles, claims); null for the defaults.</summary>
    public AccessTokenSettings? TokenSettings
    {
        get => Volatile.Read(ref _tokenSettings);
        set => Volatile.Write(ref _tokenSettings, value);
    }

    /// <summary>A snapshot of the registered certificates.</summary>
    public IReadOnlyList<RegisteredCertificate> Certificates => Volatile.Read(ref _certificates);

    public void AddCertificate(RegisteredCertificate certificate)
    {
        lock (_lock)
        {
            if (Array.Exists(_certificates, c => c.X5tS256 == certificate.X5tS256))
            {
                return;
            }

            Volatile.Write(ref _certificates, [.. _certificates, certificate]);
        }
    }

    /// <summary>Removes the certificate with this SHA-256 thumbprint; false when none was registered.</summary>
    public bool RemoveCertificate(string x5tS256)
    {
        lock (_lock)
        {
            if (!Array.Exists(_certificates, c => c.X5tS256 == x5tS256))
            {
                return false;
            }

            Volatile.Write(ref _certificates, Array.FindAll(_certificates, c => c.X5tS256 != x5tS256));
            return true;
        }
    }

    public void AddResource(string resource)
    {
        lock (_lock)
        {
            _resources.Add(NormalizeResource(resource));
        }
    }

    /// <summary>Finds a registered resource (trailing slash and case ignored) and gives it as registered.</summary>
    public bool TryGetResource(string resource, out string registered)
    {
        lock (_lock)
        {
            return _resources.TryGetValue(NormalizeResource(resource), out registered!);
        }
    }

    /// <summary>A resource without its trailing slashes.</summary>
    public static string NormalizeResource(string resource) => resource.TrimEnd('/');
}
