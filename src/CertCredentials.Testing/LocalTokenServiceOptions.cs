using System.Security.Cryptography.X509Certificates;

namespace CertCredentials.Testing;

/// <summary>
/// Settings of a <see cref="LocalTokenService"/>. Read once by <see cref="LocalTokenService.StartAsync"/>,
/// except <see cref="TimeProvider"/>, which is consulted on every request.
/// </summary>
public sealed class LocalTokenServiceOptions
{
    /// <summary>
    /// The service's clock: used for the <c>nbf</c>/<c>exp</c>/<c>iat</c> checks of client assertions, for the
    /// times written in issued access tokens, for the protected API's lifetime checks and for recorded times.
    /// Delays (<see cref="ResponseDelay"/>, <see cref="TokenFault.Delay"/>) always run on real time.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Lifetime of issued access tokens (<c>exp</c> - <c>iat</c>). <c>expires_in</c> is this minus one second
    /// (3599 for an hour, as Entra answers), and at least 1.
    /// </summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>When set, successful responses carry <c>refresh_in</c> (whole seconds).</summary>
    public TimeSpan? RefreshIn { get; set; }

    /// <summary>
    /// When true, <c>expires_in</c>, <c>ext_expires_in</c> and <c>refresh_in</c> are written as JSON strings
    /// (<c>"3599"</c>), as some servers do.
    /// </summary>
    public bool ExpiresInAsString { get; set; }

    /// <summary>Tolerance applied to the client assertion's <c>nbf</c> and <c>exp</c>.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The longest client assertion accepted: <c>exp - nbf</c> and <c>exp - iat</c> may not exceed it.</summary>
    public TimeSpan MaxAssertionLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Latency added (on real time) to every token response, faulted or not. Benchmarks use 50 ms.</summary>
    public TimeSpan ResponseDelay { get; set; }

    /// <summary>TCP port to listen on; 0 picks a free port. The service always binds 127.0.0.1 only.</summary>
    public int Port { get; set; }

    /// <summary>When set, the service serves HTTPS with this certificate (it needs its private key).</summary>
    public X509Certificate2? HttpsCertificate { get; set; }

    /// <summary>
    /// How many token requests <see cref="LocalTokenService.Requests"/> keeps (the oldest are dropped), so that a
    /// long benchmark does not hold every request in memory. <see cref="LocalTokenService.TokenRequestCount"/> is
    /// not limited. Default 10,000.
    /// </summary>
    public int MaxRecordedRequests { get; set; } = 10_000;
}
