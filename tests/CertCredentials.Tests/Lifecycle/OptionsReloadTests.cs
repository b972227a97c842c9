using System.Net;
using System.Text.Json;
using CertCredentials.Testing;
using CertCredentials.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace CertCredentials.Tests.Lifecycle;

/// <summary>
/// Under dependency injection, a change of the options through a reloadable appsettings.json reaches the running
/// singleton: the same object takes the new key; options it cannot change in place are logged once as needing a
/// restart; a new key that does not load leaves the old one serving and turns the health check Degraded.
/// </summary>
public sealed class OptionsReloadTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private readonly MadeCertificate _first = MadeCertificate.For("CN=first");
    private readonly MadeCertificate _second = MadeCertificate.For("CN=second");
    private readonly LogCapture _logs = new();
    private LocalEntra _entra = null!;
    private LocalProtectedApi _api = null!;
    private ServiceProvider _services = null!;

    private string Settings => _folder.File("appsettings.json");

    private CertificateClientCredential Credential => _services.GetRequiredService<CertificateClientCredential>();

    public async Task InitializeAsync()
    {
        File.WriteAllText(_folder.File("first.pem"), _first.KeyPem + _first.CertificatePem);
        File.WriteAllText(_folder.File("second.pem"), _second.KeyPem + _second.CertificatePem);
        _entra = await LocalEntra.StartAsync();
        _entra.Service.RegisterApplication(TestOptions.TenantId, TestOptions.ClientId, _first.Certificate, LocalEntra.Resource);
        _entra.Service.RegisterApplication(TestOptions.TenantId, TestOptions.ClientId, _second.Certificate, LocalEntra.Resource);
        _api = await LocalProtectedApi.StartAsync(_entra.Service, TestOptions.TenantId, LocalEntra.Resource);
        WriteSettings(_folder.File("first.pem"));

        var configuration = new ConfigurationBuilder().AddJsonFile(Settings, optional: false, reloadOnChange: true).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(_logs));
        services.AddSingleton<IConfiguration>(configuration);
        services.AddCertificateClientCredential(configuration.GetSection("CertCredentials"));
        services.AddHttpClient("api", c => c.BaseAddress = _api.BaseAddress).AddCertificateClientCredentialHandler();
        services.AddHealthChecks().AddCertificateClientCredentialCheck();
        _services = services.BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _api.DisposeAsync();
        await _entra.DisposeAsync();
        _folder.Dispose();
    }

    /// <summary>Writes appsettings.json as a deployment would, with the key file and any other settings.</summary>
    private void WriteSettings(string keyPath, string tenantId = TestOptions.TenantId, string scope = TestOptions.Scope)
    {
        var settings = new Dictionary<string, object>
        {
            ["CertCredentials"] = new Dictionary<string, string>
            {
                ["TenantId"] = tenantId,
                ["ClientId"] = TestOptions.ClientId,
                ["Scope"] = scope,
                ["TokenEndpoint"] = _entra.TokenEndpoint.ToString(),
                ["PrivateKeyPath"] = keyPath,
                ["RetryDelay"] = "00:00:00",
            },
        };
        File.WriteAllText(Settings, JsonSerializer.Serialize(settings));
    }

    private async Task<HttpStatusCode> CallAsync()
    {
        using var response = await _services.GetRequiredService<IHttpClientFactory>().CreateClient("api").GetAsync(new Uri("hello", UriKind.Relative));
        return response.StatusCode;
    }

    private async Task<HealthReportEntry> HealthAsync() =>
        (await _services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["certificate-credential"];

    [Fact]
    public async Task A_new_key_path_in_appsettings_reaches_the_running_singleton()
    {
        var credential = Credential;
        (await CallAsync()).Should().Be(HttpStatusCode.OK);
        credential.Thumbprint.Should().Be(_first.Thumbprint);

        WriteSettings(_folder.File("second.pem"));

        // The switch is visible (the swap) just before it is logged: wait for both.
        await Eventually.TrueAsync(() => credential.Thumbprint.Equals(_second.Thumbprint) && _logs.WithId(1300).Any(), "the options change reaches the credential");
        Credential.Should().BeSameAs(credential, "same object, new key");
        await credential.RefreshTokenAsync();
        (await CallAsync()).Should().Be(HttpStatusCode.OK);
        _entra.Service.Requests[^1].Assertion!.GetHeaderValue<string>("x5t#S256").Should().Be(_second.X5tS256);
        _logs.WithId(1300).Should().ContainSingle().Which.Message.Should().Contain("options");
        _logs.WithId(1303).Should().BeEmpty("a key change needs no restart");
    }

    [Fact]
    public async Task Options_that_cannot_change_in_place_are_logged_once_as_needing_a_restart()
    {
        var credential = Credential;
        (await CallAsync()).Should().Be(HttpStatusCode.OK);

        WriteSettings(_folder.File("first.pem"), tenantId: "contoso.onmicrosoft.com");
        await Eventually.TrueAsync(() => _logs.WithId(1303).Any(), "the change is seen");
        File.SetLastWriteTimeUtc(Settings, DateTime.UtcNow.AddSeconds(5)); // another event for the same content
        WriteSettings(_folder.File("second.pem"), tenantId: "contoso.onmicrosoft.com");
        await Eventually.TrueAsync(() => credential.Thumbprint.Equals(_second.Thumbprint), "the key in the same change still applies");

        var restart = _logs.WithId(1303).Should().ContainSingle("once per distinct change").Subject;
        restart.Level.Should().Be(LogLevel.Warning);
        restart.Message.Should().Contain("TenantId").And.Contain("restart").And.NotContain("Scope");
        credential.TenantId.Should().Be(TestOptions.TenantId, "the running credential keeps the tenant it was built for");
        (await CallAsync()).Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_new_key_that_does_not_load_leaves_the_old_one_serving_and_the_health_check_degraded()
    {
        var credential = Credential;
        (await CallAsync()).Should().Be(HttpStatusCode.OK);
        (await HealthAsync()).Status.Should().Be(HealthStatus.Healthy);

        WriteSettings(_folder.File("missing.pem"));
        await Eventually.TrueAsync(() => credential.CertificateReloadFailure is not null, "the failed reload is reported");

        var error = _logs.WithId(1301).Should().ContainSingle().Subject;
        error.Level.Should().Be(LogLevel.Error);
        error.Message.Should().Contain("missing.pem").And.Contain(_first.Thumbprint.ToString());
        var health = await HealthAsync();
        health.Status.Should().Be(HealthStatus.Degraded);
        health.Description.Should().Contain("missing.pem").And.Contain("previous one is still in use");
        health.Data["certificateReloadFailure"].Should().Be(nameof(CertificateCredentialFailure.FileUnreadable));
        await credential.RefreshTokenAsync();
        (await CallAsync()).Should().Be(HttpStatusCode.OK, "the old key keeps serving");
        credential.Thumbprint.Should().Be(_first.Thumbprint);

        WriteSettings(_folder.File("second.pem"));
        await Eventually.TrueAsync(() => credential.Thumbprint.Equals(_second.Thumbprint) && credential.CertificateReloadFailure is null, "a good key arrives");
        (await HealthAsync()).Status.Should().Be(HealthStatus.Healthy);
    }
}
