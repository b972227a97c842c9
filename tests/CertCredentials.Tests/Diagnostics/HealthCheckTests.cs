using CertCredentials.Testing;
using CertCredentials.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;

namespace CertCredentials.Tests.Diagnostics;

public sealed class HealthCheckTests
{
    private static async Task<HealthReport> CheckAsync(LocalEntra entra, TimeProvider time, Func<CertificateClientCredential, Task>? before = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(time);
        services.AddCertificateClientCredential(o => LocalResource.Copy(entra.Options(), o));
        services.AddHealthChecks().AddCertificateClientCredentialCheck();
        await using var provider = services.BuildServiceProvider();
        if (before is not null)
        {
            await before(provider.GetRequiredService<CertificateClientCredential>());
        }

        return await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();
    }

    private static DateTimeOffset NotAfter()
    {
        using var certificate = Fixture.Certificate("rsa2048.crt.pem");
        return new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
    }

    [Fact]
    public async Task Healthy_with_a_cached_token_and_a_valid_certificate()
    {
        await using var entra = await LocalEntra.StartAsync();
        var report = await CheckAsync(entra, TimeProvider.System, c => c.GetTokenAsync().AsTask());
        var entry = report.Entries["certificate-credential"];
        entry.Status.Should().Be(HealthStatus.Healthy);
        entry.Data["certificateExpiresOn"].Should().Be(NotAfter());
        entry.Description.Should().Contain("valid token");
    }

    [Fact]
    public async Task Degraded_when_the_certificate_expires_within_30_days()
    {
        await using var entra = await LocalEntra.StartAsync();
        var report = await CheckAsync(entra, new FakeTimeProvider(NotAfter().AddDays(-20)));
        report.Entries["certificate-credential"].Status.Should().Be(HealthStatus.Degraded);
        report.Entries["certificate-credential"].Description.Should().Contain("in 20 days");
    }

    [Fact]
    public async Task Unhealthy_when_the_certificate_expired()
    {
        await using var entra = await LocalEntra.StartAsync();
        var report = await CheckAsync(entra, new FakeTimeProvider(NotAfter().AddDays(1)));
        report.Entries["certificate-credential"].Status.Should().Be(HealthStatus.Unhealthy);
        report.Entries["certificate-credential"].Description.Should().Contain("expired");
    }

    [Fact]
    public async Task Unhealthy_when_the_last_acquisition_failed_without_a_token()
    {
        await using var entra = await LocalEntra.StartAsync();
        entra.Service.PersistentFault = new TokenFault { StatusCode = 400, ContentType = "application/json", Body = "{\"error\":\"invalid_client\",\"error_codes\":[700027]}" };
        var report = await CheckAsync(entra, TimeProvider.System, async c =>
            await FluentActions.Awaiting(() => c.GetTokenAsync().AsTask()).Should().ThrowAsync<TokenEndpointException>());
        var entry = report.Entries["certificate-credential"];
        entry.Status.Should().Be(HealthStatus.Unhealthy);
        entry.Data["lastErrorCode"].Should().Be(700027);
        entry.Description.Should().Contain("AADSTS700027");
    }

    [Fact]
    public async Task Degraded_when_a_refresh_failed_but_a_valid_token_is_cached()
    {
        await using var entra = await LocalEntra.StartAsync();
        var report = await CheckAsync(entra, TimeProvider.System, async c =>
        {
            var token = await c.GetTokenAsync();
            entra.Service.PersistentFault = new TokenFault { StatusCode = 400, ContentType = "application/json", Body = "{\"error\":\"invalid_client\",\"error_codes\":[700027]}" };
            await FluentActions.Awaiting(() => c.RefreshTokenAsync()).Should().ThrowAsync<TokenEndpointException>();
            c.CachedToken.Should().Be(token);
        });
        report.Entries["certificate-credential"].Status.Should().Be(HealthStatus.Degraded);
    }
}
