using Azure.Core;
using CertCredentials.Azure.Tests.Infrastructure;
using CertCredentials.Testing;
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
        var version = CreateRegistered("app", "CN=configured");
        using var host = BuildHost(services =>
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
        CreateRegistered("app", "CN=configured");
        using var host = BuildHost(services => services.AddSingleton(VaultCredential));

        await host.StartAsync();
        await host.StopAsync();

        host.Services.GetRequiredService<CertificateClientCredential>().CertificateSubject.Should().Be("CN=configured");
    }

    [Fact]
    public async Task Without_a_vault_credential_the_host_fails_at_start_and_says_what_to_register()
    {
        Vault.CreateCertificate("app");
        using var host = BuildHost(_ => { });

        var refusal = await FluentActions.Awaiting(() => host.StartAsync()).Should().ThrowAsync<OptionsValidationException>();

        refusal.Which.Message.Should().Contain("CertCredentials:KeyVault names a certificate in Key Vault, but no vault credential is registered")
            .And.Contain(CertificateClientCredentialKeyVaultServiceCollectionExtensions.VaultCredentialServiceKey).And.Contain("ManagedIdentityCredential");
        Vault.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task The_credentials_own_TokenCredential_is_not_taken_for_the_vault_credential()
    {
        Vault.CreateCertificate("app");
        using var host = BuildHost(services => services.AddCertificateClientCredentialTokenCredential());

        var refusal = await FluentActions.Awaiting(() => host.StartAsync()).Should().ThrowAsync<OptionsValidationException>();

        refusal.Which.Message.Should().Contain("no vault credential is registered").And.Contain("cannot be this certificate credential's own TokenCredential");
    }

    [Fact]
    public async Task A_new_certificate_name_in_the_configuration_reaches_the_running_credential()
    {
        CreateRegistered("app", "CN=first");
        var next = CreateRegistered("next", "CN=next");
        using var host = BuildHost(services => services.AddKeyedSingleton(CertificateClientCredentialKeyVaultServiceCollectionExtensions.VaultCredentialServiceKey, VaultCredential));
        await host.StartAsync();
        var credential = host.Services.GetRequiredService<CertificateClientCredential>();
        credential.CertificateSubject.Should().Be("CN=first");

        Reconfigure(host, ("CertCredentials:KeyVault:CertificateName", "next"));

        await Eventually.TrueAsync(() => credential.CertificateSubject == "CN=next", "the options change reaches the running credential");
        host.Services.GetRequiredService<CertificateClientCredential>().Should().BeSameAs(credential, "same object, new certificate");
        await credential.RefreshTokenAsync();
        Entra.Service.Requests[^1].Assertion!.GetHeaderValue<string>("x5t#S256").Should().Be(X5tS256(next.Certificate));
        await host.StopAsync();
    }

    [Fact]
    public async Task A_new_vault_in_the_configuration_reaches_the_running_credential()
    {
        CreateRegistered("app", "CN=first");
        await using var other = await StartVaultAsync();
        var moved = other.CreateCertificate("app", "CN=moved");
        Register(moved);
        using var host = BuildHost(services => services.AddKeyedSingleton(CertificateClientCredentialKeyVaultServiceCollectionExtensions.VaultCredentialServiceKey, VaultCredential));
        await host.StartAsync();
        var credential = host.Services.GetRequiredService<CertificateClientCredential>();

        Reconfigure(host, ("CertCredentials:KeyVault:VaultUri", other.VaultUri.AbsoluteUri));

        await Eventually.TrueAsync(() => credential.CertificateSubject == "CN=moved", "the options change reaches the running credential");
        other.Requests.Where(r => r.StatusCode == 200).Select(r => r.Path).Should().Equal("/certificates/app", $"/secrets/app/{moved.Version}");
        await credential.RefreshTokenAsync();
        Entra.Service.Requests[^1].Assertion!.GetHeaderValue<string>("x5t#S256").Should().Be(X5tS256(moved.Certificate));
        await host.StopAsync();
    }

    [Fact]
    public async Task A_configuration_change_to_a_missing_certificate_leaves_the_old_one_serving()
    {
        var first = CreateRegistered("app", "CN=first");
        using var host = BuildHost(services => services.AddKeyedSingleton(CertificateClientCredentialKeyVaultServiceCollectionExtensions.VaultCredentialServiceKey, VaultCredential));
        await host.StartAsync();
        var credential = host.Services.GetRequiredService<CertificateClientCredential>();

        Reconfigure(host, ("CertCredentials:KeyVault:CertificateName", "gone"));

        await Eventually.TrueAsync(() => Vault.Requests.Any(r => r.Path == "/certificates/gone" && r.StatusCode == 404), "the new name is looked up");
        credential.CertificateSubject.Should().Be("CN=first");
        await credential.RefreshTokenAsync();
        Entra.Service.Requests[^1].Assertion!.GetHeaderValue<string>("x5t#S256").Should().Be(X5tS256(first.Certificate), "the old certificate keeps serving");
        await host.StopAsync();
    }

    [Theory]
    [InlineData("", "app", "VaultUri is missing")]
    [InlineData("http://127.0.0.1:1/", "app", "is not an https URI")]
    [InlineData(null, "", "CertificateName is missing")]
    [InlineData(null, "not_a_name", "is not a Key Vault certificate name")]
    public async Task A_missing_or_bad_value_fails_the_start_and_names_the_key(string? vaultUri, string certificateName, string problem)
    {
        using var host = BuildHost(services => services.AddSingleton(VaultCredential), settings =>
        {
            settings["CertCredentials:KeyVault:VaultUri"] = vaultUri ?? Vault.VaultUri.AbsoluteUri;
            settings["CertCredentials:KeyVault:CertificateName"] = certificateName;
        });

        var refusal = await FluentActions.Awaiting(() => host.StartAsync()).Should().ThrowAsync<OptionsValidationException>();

        refusal.Which.Message.Should().Contain("CertCredentials:KeyVault:").And.Contain(problem);
    }
}
