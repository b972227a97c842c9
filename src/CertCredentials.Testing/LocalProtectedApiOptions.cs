using System.Security.Cryptography.X509Certificates;

namespace CertCredentials.Testing;

/// <summary>Settings of a <see cref="LocalProtectedApi"/>.</summary>
public sealed class LocalProtectedApiOptions
{
    /// <summary>TCP port to listen on; 0 picks a free port. The API always binds 127.0.0.1 only.</summary>
    public int Port { get; set; }

    /// <summary>When set, the API serves HTTPS with this certificate (it needs its private key).</summary>
    public X509Certificate2? HttpsCertificate { get; set; }

    /// <summary>How many requests <see cref="LocalProtectedApi.Requests"/> keeps (the oldest are dropped). Default 10,000.</summary>
    public int MaxRecordedRequests { get; set; } = 10_000;
}
