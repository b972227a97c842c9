using CertCredentials.Azure.Tests.Infrastructure;
using CertCredentials.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace CertCredentials.Azure.Tests.KeyVault;

/// <summary>
/// A rotation in Key Vault reaches a running service: callers keep calling a protected API through the authorized
/// HttpClient while a new version is created, the credential switches at its next check, and the old certificate is
/// removed from the app registration without a failed call.
/// </summary>
public sealed class KeyVaultRotationTests : VaultTestBase
{
    [Fact]
    public async Task A_new_version_in_the_vault_reaches_the_running_credential_without_a_restart()
    {
        var first = CreateRegistered("app", "CN=first");
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        var https = LoopbackHttps.CreateCertificate();
        var trusting = LoopbackHttps.CreateTrustingHandler(https);
        using var httpsCertificate = https;
        trusting.Dispose();
        var trusted = httpsCertificate.RawData;
        await using var api = await LocalProtectedApi.StartAsync(
            Entra.Service, TestIdentity.TenantId, TestIdentity.Graph, new LocalProtectedApiOptions { HttpsCertificate = httpsCertificate });

        using var host = BuildHost(services =>
        {
            services.AddSingleton<TimeProvider>(time);
            services.AddKeyedSingleton(CertificateClientCredentialKeyVaultServiceCollectionExtensions.VaultCredentialServiceKey, VaultCredential);
            services.AddHttpClient("api", c => c.BaseAddress = api.BaseAddress)
                .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
                {
                    SslOptions = { RemoteCertificateValidationCallback = (_, c, _, _) => c is not null && c.GetRawCertData().AsSpan().SequenceEqual(trusted) },
                })
                .AddCertificateClientCredentialHandler();
        }, settings => settings["CertCredentials:CertificateReloadInterval"] = "00:01:00");
        await host.StartAsync();
        var credential = host.Services.GetRequiredService<CertificateClientCredential>();
        var factory = host.Services.GetRequiredService<IHttpClientFactory>();

        using var stop = new CancellationTokenSource();
        var calls = 0;
        var failures = new List<string>();
        var callers = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            var client = factory.CreateClient("api");
            while (!stop.IsCancellationRequested)
            {
                using var response = await client.GetAsync(new Uri("/hello", UriKind.Relative), CancellationToken.None);
                Interlocked.Increment(ref calls);
                if (!response.IsSuccessStatusCode)
                {
                    var failure = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                    lock (failures)
                    {
                        failures.Add(failure);
                    }
                }
            }
        })).ToList();

        await Eventually.TrueAsync(() => Volatile.Read(ref calls) >= 20, "the callers get going");
        var second = CreateRegistered("app", "CN=second");
        time.Advance(TimeSpan.FromMinutes(1));
        await Eventually.TrueAsync(() => credential.CertificateSubject == "CN=second", "the next check finds the new version");

        // The rollover: the old certificate leaves the app registration, and the API rejects the token in use once.
        Entra.Service.RemoveCertificate(TestIdentity.TenantId, AppClientId, first.Certificate);
        api.RejectNextWithInvalidToken(1);
        await Eventually.TrueAsync(() => Entra.Service.Requests.Count(r => r.Form["client_id"] == AppClientId) == 2, "the rejected token is replaced by one signed with the new key");
        var afterRollover = Volatile.Read(ref calls);
        await Eventually.TrueAsync(() => Volatile.Read(ref calls) >= afterRollover + 20, "the callers go on");
        await stop.CancelAsync();
        await Task.WhenAll(callers);

        failures.Should().BeEmpty();
        Entra.Service.Requests.Where(r => r.Form["client_id"] == AppClientId).Select(r => (r.StatusCode, r.Assertion!.GetHeaderValue<string>("x5t#S256")))
            .Should().Equal((200, X5tS256(first.Certificate)), (200, X5tS256(second.Certificate)));
        Vault.Requests.Should().NotContain(r => r.StatusCode != 200 && r.StatusCode != 401);
        await host.StopAsync();
    }
}
