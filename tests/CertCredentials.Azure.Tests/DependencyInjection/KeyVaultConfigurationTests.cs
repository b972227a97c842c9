using Azure.Core;
using Azure.Core.Pipeline;
using CertCredentials.Azure.Tests.Infrastructure;
using CertCredentials.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CertCredentials.Azure.Tests.DependencyInjection;

/// <summary>
/// <c>"CertCredentials": { "KeyVault": { "VaultUri", "CertificateName" } }</c> in a real generic host: the certificate
/// comes from the local Key Vault, read with the vault credential from the container, beside the credential's own
/// TokenCredential for Graph; no vault credential fails the start with the fix.
/// </summary>
public sealed class KeyVaultConfigurationTests : VaultTestBase
{
    [Fact]
    public async Task The_KeyVault_section_gives_the_credential_its_certificate_read_with_the_keyed_vault_credential()
    {
        var version = Vault.CreateCertificate("app", "CN=configured");
        Register(version);
        using var host = Build(services =>
        {
            services.AddKeyedSingleton(CertificateClientCredentialKeyVaultServiceCollectionExtensions.VaultCredentialServiceKey, VaultCredential);
            services.AddCertificateClientCredentialTokenCredential();
        });

        await host.StartAsync();
        var graphCredential = host.Services.GetRequiredService<TokenCredential>();
        var token = await graphCredential.GetTokenAsync(new TokenRequestContext([TestIdentity.GraphScope]), default);
        await host.StopAsync();

        token.Token.Should().NotBeNullOrEmpty();
        host.Services.GetRequiredService<CertificateClientCredential>().CertificateSubject.Should().Be("CN=configured");
        Entra.Service.Requests.Should().ContainSingle(r => r.Form["client_id"] == AppClientId)
            .Which.Assertion!.GetHeaderValue<string>("x5t#S256").Should().Be(X5tS256(version.Certificate));
    }

    [Fact]
    public async Task The_only_TokenCredential_is_the_vault_credential_when_none_is_keyed()
    {
        Register(Vault.CreateCertificate("app", "CN=configured"));
        using var host = Build(services => services.AddSingleton(VaultCredential));

        await host.StartAsync();
        await host.StopAsync();

        host.Services.GetRequiredService<CertificateClientCredential>().CertificateSubject.Should().Be("CN=configured");
    }

    [Fact]
    public async Task Without_a_vault_credential_the_host_fails_at_start_and_says_what_to_register()
    {
        Vault.CreateCertificate("app");
        using var host = Build(_ => { });

        var refusal = await FluentActions.Awaiting(() => host.StartAsync()).Should().ThrowAsync<OptionsValidationException>();

        refusal.Which.Message.Should().Contain("CertCredentials:KeyVault names a certificate in Key Vault, but no vault credential is registered")
            .And.Contain(CertificateClientCredentialKeyVaultServiceCollectionExtensions.VaultCredentialServiceKey).And.Contain("ManagedIdentityCredential");
        Vault.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task The_credentials_own_TokenCredential_is_not_taken_for_the_vault_credential()
    {
        Vault.CreateCertificate("app");
        using var host = Build(services => services.AddCertificateClientCredentialTokenCredential());

        var refusal = await FluentActions.Awaiting(() => host.StartAsync()).Should().ThrowAsync<OptionsValidationException>();

        refusal.Which.Message.Should().Contain("no vault credential is registered").And.Contain("cannot be this certificate credential's own TokenCredential");
    }

    [Theory]
    [InlineData("", "app", "VaultUri is missing")]
    [InlineData("http://127.0.0.1:1/", "app", "is not an https URI")]
    [InlineData(null, "", "CertificateName is missing")]
    [InlineData(null, "not_a_name", "is not a Key Vault certificate name")]
    public async Task A_missing_or_bad_value_fails_the_start_and_names_the_key(string? vaultUri, string certificateName, string problem)
    {
        using var host = Build(services => services.AddSingleton(VaultCredential), vaultUri, certificateName);

        var refusal = await FluentActions.Awaiting(() => host.StartAsync()).Should().ThrowAsync<OptionsValidationException>();

        refusal.Which.Message.Should().Contain("CertCredentials:KeyVault:").And.Contain(problem);
    }

    private IHost Build(Action<IServiceCollection> register, string? vaultUri = null, string certificateName = "app")
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CertCredentials:TenantId"] = TestIdentity.TenantId,
            ["CertCredentials:ClientId"] = AppClientId,
            ["CertCredentials:Scope"] = TestIdentity.GraphScope,
            ["CertCredentials:AuthorityHost"] = Entra.Service.BaseAddress.AbsoluteUri,
            ["CertCredentials:KeyVault:VaultUri"] = vaultUri ?? Vault.VaultUri.AbsoluteUri,
            ["CertCredentials:KeyVault:CertificateName"] = certificateName,
            ["CertCredentials:KeyVault:DisableChallengeResourceVerification"] = "true",
        });
        var section = builder.Configuration.GetSection("CertCredentials");
        builder.Services.AddCertificateClientCredential(section)
            .AddCertificateClientCredentialKeyVault(section, o =>
            {
                o.Transport = new HttpClientTransport(VaultHandler);
                o.Retry.MaxRetries = 0;
            });
        register(builder.Services);
        return builder.Build();
    }
}
