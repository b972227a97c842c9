using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;
using CertCredentials.Azure.Tests.Infrastructure;
using Azure.Core;
using CertCredentials.Testing;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.DependencyInjection;

namespace CertCredentials.Azure.Tests.TokenCredentials;

/// <summary>
/// A real Azure SDK client, SecretClient 4.12, authenticated by the adapter against the local Key Vault: its
/// challenge policy asks for the vault's tenant and scope (and declares CAE), which the adapter serves from that pair's cache.
/// </summary>
public sealed class SecretClientTests : IAsyncLifetime
{
    private LocalEntra _entra = null!;
    private LocalKeyVault _vault = null!;
    private HttpMessageHandler _handler = null!;

    public async Task InitializeAsync()
    {
        _entra = await LocalEntra.StartAsync();
        _vault = await LocalKeyVault.StartAsync(_entra.Service, LocalEntra.OtherTenant);
        _vault.Grant(TestIdentity.ClientId, KeyVaultPermissions.SecretsGet);
        _handler = _vault.CreateHttpMessageHandler();
    }

    public async Task DisposeAsync()
    {
        _handler.Dispose();
        await _vault.DisposeAsync();
        await _entra.DisposeAsync();
    }

    [Fact]
    public async Task SecretClient_reads_secrets_with_the_vault_tenants_token_requested_once()
    {
        _vault.SetSecret("connection", "Server=local");
        _vault.SetSecret("other", "two");
        var credential = _entra.Credential();
        var client = new SecretClient(_vault.VaultUri, credential.AsTokenCredential(), new SecretClientOptions
        {
            Transport = new HttpClientTransport(_handler),
            DisableChallengeResourceVerification = true,
        });

        var first = await client.GetSecretAsync("connection");
        var second = await client.GetSecretAsync("other");

        first.Value.Value.Should().Be("Server=local");
        second.Value.Value.Should().Be("two");
        var request = _entra.Service.Requests.Should().ContainSingle("the vault's token is cached").Which;
        request.Tenant.Should().Be(LocalEntra.OtherTenant, "the challenge names the vault's tenant");
        request.Form["scope"].Should().Be(LocalKeyVault.DefaultResource + "/.default");
        _vault.Requests.Select(r => r.StatusCode).Should().Equal(401, 200, 200);
    }

    [Fact]
    public async Task AddAzureClients_resolves_a_secret_client_that_uses_the_registered_token_credential()
    {
        _vault.SetSecret("connection", "Server=local");
        var services = new ServiceCollection();
        services.AddCertificateClientCredential(_entra.Configure);
        services.AddCertificateClientCredentialTokenCredential();
        services.AddAzureClients(clients =>
        {
            clients.UseCredential(sp => sp.GetRequiredService<TokenCredential>());
            clients.AddSecretClient(_vault.VaultUri).ConfigureOptions(o =>
            {
                o.Transport = new HttpClientTransport(_handler);
                o.DisableChallengeResourceVerification = true;
            });
        });
        await using var provider = services.BuildServiceProvider();

        var secret = await provider.GetRequiredService<SecretClient>().GetSecretAsync("connection");

        secret.Value.Value.Should().Be("Server=local");
        _entra.Service.Requests.Should().ContainSingle().Which.Form["client_id"].Should().Be(TestIdentity.ClientId);
    }
}
