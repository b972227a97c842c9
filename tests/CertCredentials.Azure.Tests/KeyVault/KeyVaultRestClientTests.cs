using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Core;
using Azure.Core.Pipeline;
using CertCredentials.Azure.KeyVault;
using CertCredentials.Azure.Tests.Infrastructure;
using CertCredentials.Testing;

namespace CertCredentials.Azure.Tests.KeyVault;

/// <summary>
/// The wing's own Key Vault calls (read, list, secret, sign) against the local Key Vault, authenticated by the
/// certificate credential itself through Key Vault's challenge, and every failure worded as its fix.
/// </summary>
public sealed class KeyVaultRestClientTests : VaultTestBase
{
    protected override KeyVaultPermissionModel PermissionModel => KeyVaultPermissionModel.Rbac;

    [Fact]
    public async Task Reads_the_certificate_its_versions_and_its_secret_after_one_challenge()
    {
        var first = Vault.CreateCertificate("app");
        var second = Vault.CreateCertificate("app", options: new KeyVaultCertificateOptions { ContentType = LocalKeyVault.PemContentType });
        Vault.SetEnabled("app", first.Version, enabled: false);
        var client = Client();

        var bundle = await client.GetCertificateAsync("app", null, default);
        var versions = await client.GetVersionsAsync("app", default);
        var secret = await client.GetSecretAsync(bundle.SecretId, "app", default);

        bundle.Version.Should().Be(second.Version);
        bundle.Cer.Should().Equal(second.Certificate.RawData);
        bundle.KeyId.Should().Be(second.KeyId);
        bundle.Exportable.Should().BeTrue();
        bundle.ContentType.Should().Be(LocalKeyVault.PemContentType);
        bundle.ExpiresOn.Should().Be(DateTimeOffset.FromUnixTimeSeconds(new DateTimeOffset(second.Certificate.NotAfter.ToUniversalTime()).ToUnixTimeSeconds()));
        versions.Select(v => (v.Version, v.Enabled)).Should().Equal((first.Version, false), (second.Version, true));
        secret.ContentType.Should().Be(LocalKeyVault.PemContentType);
        secret.Value.Should().Contain("PRIVATE KEY");
        secret.ToString().Should().NotContain("PRIVATE KEY");
        Vault.Requests.Select(r => r.StatusCode).Should().Equal(401, 200, 200, 200);
        var tokenRequest = Entra.Service.Requests.Should().ContainSingle().Which;
        tokenRequest.Tenant.Should().Be(LocalEntra.OtherTenant);
        tokenRequest.Form["scope"].Should().Be(LocalKeyVault.DefaultResource + "/.default");
    }

    [Fact]
    public async Task Signs_a_digest_in_theVault_even_as_the_first_request()
    {
        var created = Vault.CreateCertificate("hsm", options: new KeyVaultCertificateOptions { Exportable = false });
        var digest = SHA256.HashData("header.payload"u8);

        var signature = await Client().SignAsync(created.KeyId, "PS256", digest, default);

        using var publicKey = created.Certificate.GetRSAPublicKey()!;
        publicKey.VerifyHash(digest, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss).Should().BeTrue();
        Vault.SignCount.Should().Be(1);
        Vault.Requests.Select(r => (r.Method, r.StatusCode)).Should().Equal(("POST", 401), ("POST", 200));
    }

    [Fact]
    public async Task A_missing_role_names_the_role_and_the_action_to_grant()
    {
        Vault.CreateCertificate("app");
        Vault.Grant(TestIdentity.ClientId, KeyVaultPermissions.CertificatesGet);
        var client = Client();
        var bundle = await client.GetCertificateAsync("app", null, default);

        var refusal = await FluentActions.Awaiting(() => client.GetSecretAsync(bundle.SecretId, "app", default)).Should().ThrowAsync<KeyVaultRequestException>();
        var sign = await FluentActions.Awaiting(() => client.SignAsync(bundle.KeyId, "RS256", new byte[32], default)).Should().ThrowAsync<KeyVaultRequestException>();

        refusal.Which.Kind.Should().Be(KeyVaultFailureKind.Forbidden);
        refusal.Which.ErrorCode.Should().Be("ForbiddenByRbac");
        refusal.Which.Message.Should().Contain("may not read the certificate's secret").And.Contain("'secrets get'")
            .And.Contain("Key Vault Secrets User").And.Contain("Microsoft.KeyVault/vaults/secrets/getSecret/action");
        sign.Which.Message.Should().Contain("'keys sign'").And.Contain("Key Vault Crypto User");
    }

    [Fact]
    public async Task Not_found_disabled_and_expired_are_each_named_with_their_fix()
    {
        var now = Entra.Service.TimeProvider.GetUtcNow();
        var disabled = Vault.CreateCertificate("off");
        Vault.SetEnabled("off", disabled.Version, enabled: false);
        var expired = Vault.CreateCertificate("old", notBefore: now.AddYears(-1), notAfter: now.AddDays(-1));
        var client = Client();

        var missing = await FluentActions.Awaiting(() => client.GetCertificateAsync("nope", null, default)).Should().ThrowAsync<KeyVaultRequestException>();
        var off = await FluentActions.Awaiting(() => client.GetSecretAsync(disabled.SecretId, "off", default)).Should().ThrowAsync<KeyVaultRequestException>();
        var old = await FluentActions.Awaiting(() => client.SignAsync(expired.KeyId, "RS256", new byte[32], default)).Should().ThrowAsync<KeyVaultRequestException>();

        missing.Which.Kind.Should().Be(KeyVaultFailureKind.NotFound);
        missing.Which.Message.Should().Contain("has no certificate 'nope'").And.Contain("CertificateNotFound");
        off.Which.Kind.Should().Be(KeyVaultFailureKind.NotUsable);
        off.Which.Message.Should().Contain("is disabled").And.Contain("Enable that version");
        old.Which.ErrorCode.Should().Be("KeyExpired");
        old.Which.Message.Should().Contain("is expired").And.Contain("Renew the certificate");
    }

    [Fact]
    public async Task An_unreachableVault_is_named_with_what_to_check()
    {
        var client = Client();
        await Vault.DisposeAsync();

        var refusal = await FluentActions.Awaiting(() => client.GetCertificateAsync("app", null, default)).Should().ThrowAsync<KeyVaultRequestException>();

        refusal.Which.Kind.Should().Be(KeyVaultFailureKind.Unreachable);
        refusal.Which.Message.Should().Contain("could not be reached").And.Contain("private endpoint");
    }

    [Fact]
    public async Task A_challenge_for_a_resource_outside_theVaults_domain_gets_no_token()
    {
        Vault.CreateCertificate("app");
        var client = Client(verify: true);

        var refusal = await FluentActions.Awaiting(() => client.GetCertificateAsync("app", null, default)).Should().ThrowAsync<KeyVaultRequestException>();

        refusal.Which.Message.Should().Contain("asked for a token for 'https://vault.azure.net/.default'").And.Contain("no token was sent");
        Entra.Service.TokenRequestCount.Should().Be(0);
    }

    private KeyVaultRestClient Client(bool verify = false) =>
        new(Vault.VaultUri, Entra.Credential().AsTokenCredential(), new LocalOptions(new HttpClientTransport(VaultHandler)), verify);

    private sealed class LocalOptions : ClientOptions
    {
        public LocalOptions(HttpPipelineTransport transport)
        {
            Transport = transport;
            Retry.MaxRetries = 0;
        }
    }
}
