using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;

namespace CertCredentials.Testing.TokenService;

/// <summary>The service's directory: known tenants, their applications, PSS refusals and CAE revocations. Thread-safe.</summary>
internal sealed class ApplicationRegistry
{
    private readonly ConcurrentDictionary<string, string> _tenants = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<(string Tenant, string ClientId), RegisteredApplication> _applications =
        new(new TenantClientComparer());
    private readonly ConcurrentDictionary<string, byte> _pssRefused = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Revocation> _revocations = new(StringComparer.OrdinalIgnoreCase);

    public void Register(string tenant, string clientId, X509Certificate2 certificate, IEnumerable<string> resources)
    {
        var registeredCertificate = new RegisteredCertificate(certificate);
        var canonicalTenant = _tenants.GetOrAdd(tenant, tenant);
        var application = _applications.GetOrAdd(
            (canonicalTenant, clientId),
            static (key, _) => new RegisteredApplication(key.Tenant, key.ClientId),
            0);
        application.AddCertificate(registeredCertificate);
        foreach (var resource in resources)
        {
            application.AddResource(resource);
        }
    }

    /// <summary>Removes a certificate from an application; false when the application or the certificate is unknown.</summary>
    public bool RemoveCertificate(string tenant, string clientId, X509Certificate2 certificate) =>
        _applications.TryGetValue((tenant, clientId), out var application)
        && application.RemoveCertificate(RegisteredCertificate.ComputeX5tS256(certificate));

    /// <summary>Finds a tenant (case-insensitive) and gives it as first registered.</summary>
    public bool TryGetTenant(string tenant, out string canonical) => _tenants.TryGetValue(tenant, out canonical!);

    public bool TryGetApplication(string tenant, string clientId, out RegisteredApplication application) =>
        _applications.TryGetValue((tenant, clientId), out application!);

    public void RefusePss(string clientId) => _pssRefused[clientId] = 0;

    public bool IsPssRefused(string clientId) => _pssRefused.ContainsKey(clientId);

    public void Revoke(string clientId, Revocation revocation) => _revocations[clientId] = revocation;

    public bool TryGetRevocation(string clientId, out Revocation revocation) =>
        _revocations.TryGetValue(clientId, out revocation!);

    private sealed class TenantClientComparer : IEqualityComparer<(string Tenant, string ClientId)>
    {
        public bool Equals((string Tenant, string ClientId) x, (string Tenant, string ClientId) y) =>
            StringComparer.OrdinalIgnoreCase.Equals(x.Tenant, y.Tenant)
            && StringComparer.OrdinalIgnoreCase.Equals(x.ClientId, y.ClientId);

        public int GetHashCode((string Tenant, string ClientId) obj) => HashCode.Combine(
            StringComparer.OrdinalIgnoreCase.GetHashCode(obj.Tenant),
            StringComparer.OrdinalIgnoreCase.GetHashCode(obj.ClientId));
    }
}
