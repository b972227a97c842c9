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
public sealed class SecretClientTests : VaultTestBase
{
    protected override KeyVaultPermissions Permissions => KeyVaultPermissions.SecretsGet;

    [Fact]
    public async Task SecretClient_reads_secrets_with_theVault_tenants_token_requested_once()
    {
        Vault.SetSecret("connection", "Server=local");
        Vault.SetSecret("other", "two");
        var credential = Entra.Credential();
        var client = new SecretClient(Vault.VaultUri, credential.AsTokenCredential(), new SecretClientOptions
        {
            Transport = new HttpClientTransport(VaultHandler),
            DisableChallengeResourceVerification = true,
        });

        var first = await client.GetSecretAsync("connection");
        var second = await client.GetSecretAsync("other");

        first.Value.Value.Should().Be("Server=local");
        second.Value.Value.Should().Be("two");
        var request = Entra.Service.Requests.Should().ContainSingle("the vault's token is cached").Which;
        request.Tenant.Should().Be(LocalEntra.OtherTenant, "the challenge names the vault's tenant");
        request.Form["scope"].Should().Be(LocalKeyVault.DefaultResource + "/.default");
        Vault.Requests.Select(r => r.StatusCode).Should().Equal(401, 200, 200);
    }

    [Fact]
    public async Task AddAzureClients_resolves_a_secret_client_that_uses_the_registered_token_credential()
    {
        Vault.SetSecret("connection", "Server=local");
        var services = new ServiceCollection();
        services.AddCertificateClientCredential(Entra.Configure);
        services.AddCertificateClientCredentialTokenCredential();
        services.AddAzureClients(clients =>
        {
            clients.UseCredential(sp => sp.GetRequiredService<TokenCredential>());
            clients.AddSecretClient(Vault.VaultUri).ConfigureOptions(o =>
            {
                o.Transport = new HttpClientTransport(VaultHandler);
                o.DisableChallengeResourceVerification = true;
            });
        });
        await using var provider = services.BuildServiceProvider();

        var secret = await provider.GetRequiredService<SecretClient>().GetSecretAsync("connection");

        secret.Value.Value.Should().Be("Server=local");
        Entra.Service.Requests.Should().ContainSingle().Which.Form["client_id"].Should().Be(TestIdentity.ClientId);
    }
}
