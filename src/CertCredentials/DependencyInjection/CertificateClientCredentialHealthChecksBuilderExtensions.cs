using CertCredentials.DependencyInjection;
using CertCredentials.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds a health check for a certificate credential.</summary>
public static class CertificateClientCredentialHealthChecksBuilderExtensions
{
    /// <summary>
    /// Reports the certificate's expiry (degraded within 30 days, unhealthy once expired) and the outcome of the last
    /// token acquisition of the credential named <paramref name="credentialName"/> (the default one when null). A name
    /// that no credential is registered under fails the host at start.
    /// </summary>
    public static IHealthChecksBuilder AddCertificateClientCredentialCheck(this IHealthChecksBuilder builder, string? credentialName = null,
        string? checkName = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var name = credentialName ?? Options.Options.DefaultName;
        var registration = checkName ?? (name.Length == 0 ? "certificate-credential" : $"certificate-credential-{name}");

        // A name that no credential has (a typo) fails the host at start, as the handler's does.
        CredentialReferenceValidator.Register(builder.Services, new CredentialReference(name, $"The health check '{registration}' (AddCertificateClientCredentialCheck)"));
        return builder.Add(new HealthCheckRegistration(
            registration,
            services => new CertificateCredentialHealthCheck(
                () => CredentialRegistry.From(services).Get(name),
                services.GetService<TimeProvider>() ?? TimeProvider.System),
            failureStatus: null,
            tags));
    }
}
