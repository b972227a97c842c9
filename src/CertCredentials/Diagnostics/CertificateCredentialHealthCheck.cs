using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CertCredentials.Diagnostics;

/// <summary>
/// Reports a credential's health: the expiry of the certificate in use (degraded within 30 days, unhealthy once
/// expired), a new key or certificate that does not load (degraded, with the reason, until a good one arrives) and the
/// last token acquisition (unhealthy when it failed and no valid token is cached, degraded when a cached token still
/// carries callers). Makes no request of its own.
/// </summary>
internal sealed class CertificateCredentialHealthCheck : IHealthCheck
{
    internal static readonly TimeSpan ExpiryWarning = TimeSpan.FromDays(30);

    private readonly Func<CertificateClientCredential> _credential;
    private readonly TimeProvider _timeProvider;

    public CertificateCredentialHealthCheck(Func<CertificateClientCredential> credential, TimeProvider timeProvider)
    {
        _credential = credential;
        _timeProvider = timeProvider;
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        CertificateClientCredential credential;
        try
        {
            credential = _credential();
        }
        catch (CertificateCredentialException e)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("The certificate credential cannot be built: " + e.Message));
        }

        var now = _timeProvider.GetUtcNow();
        var data = new Dictionary<string, object>
        {
            ["clientId"] = credential.ClientId,
            ["tenantId"] = credential.TenantId,
            ["scope"] = credential.Scope,
            ["thumbprint"] = credential.Thumbprint.ToString(),
        };

        var problems = new List<string>();
        var status = HealthStatus.Healthy;

        if (credential.CertificateExpiresOn is { } notAfter)
        {
            data["certificateExpiresOn"] = notAfter;
            var left = notAfter - now;
            if (left <= TimeSpan.Zero)
            {
                status = HealthStatus.Unhealthy;
                problems.Add($"The certificate expired at {notAfter:u}; make a new one and upload it to the app registration.");
            }
            else if (left <= ExpiryWarning)
            {
                status = HealthStatus.Degraded;
                problems.Add($"The certificate expires at {notAfter:u}, in {(int)left.TotalDays} days; rotate it.");
            }
        }

        if (credential.CertificateReloadFailure is { } reloadFailure)
        {
            // The previous certificate still signs; a new one was meant to replace it and does not load.
            data["certificateReloadFailure"] = reloadFailure.Failure.ToString();
            problems.Add("A new key or certificate could not be loaded, so the previous one is still in use: " + reloadFailure.Message);
            status = Min(status, HealthStatus.Degraded);
        }

        var cached = credential.CachedToken;
        var hasValidToken = cached is { } token && token.ExpiresOn > now;
        if (cached is { } current)
        {
            data["tokenExpiresOn"] = current.ExpiresOn;
        }

        if (credential.LastFailure is { } failure)
        {
            data["lastFailure"] = failure.Failure.ToString();
            if (failure is TokenEndpointException { ErrorCodes.Count: > 0 } endpointFailure)
            {
                data["lastErrorCode"] = endpointFailure.ErrorCodes[0];
            }

            problems.Add("The last token acquisition failed: " + failure.Message);
            status = hasValidToken ? Min(status, HealthStatus.Degraded) : HealthStatus.Unhealthy;
        }

        if (credential.SharedTokenStoreProblem is { } sharedProblem)
        {
            // Callers still get tokens (each instance requests its own): degraded, not unhealthy.
            data["sharedTokenStore"] = "failing";
            problems.Add(sharedProblem);
            status = Min(status, HealthStatus.Degraded);
        }

        var description = problems.Count == 0
            ? hasValidToken ? "A valid token is cached." : "No token acquired yet; nothing has failed."
            : string.Join(" ", problems);
        return Task.FromResult(new HealthCheckResult(status, description, data: data));
    }

    private static HealthStatus Min(HealthStatus a, HealthStatus b) => a < b ? a : b;
}
