using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertCredentials.Azure.Tests.Infrastructure;
using CertCredentials.Testing;
using Microsoft.Extensions.Time.Testing;

namespace CertCredentials.Azure.Tests.KeyVault;

/// <summary>
/// The Key Vault certificate source against the local Key Vault, with the application's token requests checked by the
/// local token service: exportable keys from the secret, non-exportable keys signed in the vault, the newest usable
/// version, and every refusal at start worded as its fix.
/// </summary>
public sealed class KeyVaultCertificateSourceTests : VaultTestBase
{
    private readonly LogCapture _logs = new();

    [Theory]
    [InlineData(LocalKeyVault.Pkcs12ContentType)]
    [InlineData(LocalKeyVault.PemContentType)]
    public async Task An_exportable_certificate_is_read_with_its_key_from_its_secret(string contentType)
    {
        var version = CreateRegistered("app", "CN=app", new KeyVaultCertificateOptions { ContentType = contentType });

        using var credential = AppCredential("app", o => o.LoggerFactory = _logs.Factory());
        await credential.GetTokenAsync();

        credential.CertificateSubject.Should().Be("CN=app");
        Entra.Service.Requests.Should().ContainSingle(r => r.Form["client_id"] == AppClientId).Which.Assertion!.GetHeaderValue<string>("x5t#S256").Should().Be(X5tS256(version.Certificate));
        Vault.Requests.Where(r => r.StatusCode == 200).Select(r => r.Path).Should().Equal("/certificates/app", $"/secrets/app/{version.Version}");
        Vault.SignCount.Should().Be(0);
        var read = _logs.WithId(1500).Should().ContainSingle().Subject;
        read.Message.Should().Contain(version.Version).And.Contain("read from the certificate's secret").And.Contain(contentType);
        _logs.AllText().Should().NotContain("PRIVATE KEY");
    }

    [Theory]
    [InlineData(SigningAlgorithms.RS256)]
    [InlineData(SigningAlgorithms.PS256)]
    public async Task A_non_exportable_key_never_leaves_the_vault_and_signs_once_per_token_request(string algorithm)
    {
        var version = CreateRegistered("hsm", "CN=hsm", new KeyVaultCertificateOptions { Exportable = false });

        using var credential = AppCredential("hsm", change: o => o.SigningAlgorithm = algorithm);
        Vault.SignCount.Should().Be(1, "a new signer gives one check signature before it is used");
        for (var i = 0; i < 3; i++)
        {
            await credential.RefreshTokenAsync();
        }

        await credential.GetTokenAsync();
        await credential.GetTokenAsync();

        Vault.SignCount.Should().Be(4, "one sign request per token request, none for a cached token");
        Vault.Requests.Should().NotContain(r => r.Path.StartsWith("/secrets/", StringComparison.Ordinal), "the secret of a non-exportable key is never read");
        var requests = Entra.Service.Requests.Where(r => r.Form["client_id"] == AppClientId).ToList();
        requests.Should().HaveCount(3);
        requests.Should().OnlyContain(r => r.Assertion!.GetHeaderValue<string>("x5t#S256") == X5tS256(version.Certificate) && r.Assertion.Alg == algorithm);
        credential.ToString().Should().Contain("KeyVaultKeySigner");
    }

    [Fact]
    public async Task An_unchanged_version_is_the_same_instance_and_its_secret_is_not_read_again()
    {
        var version = Vault.CreateCertificate("app");
        var source = Source("app");

        var first = await source.LoadAsync(default);
        var again = await source.LoadAsync(default);
        again.Should().BeSameAs(first);
        first.Dispose();
        using var afterDisposal = await source.LoadAsync(default);

        afterDisposal.Should().NotBeSameAs(first, "a certificate the credential disposed is not handed out again");
        afterDisposal.Thumbprint.Should().Be(first.Thumbprint);
        Vault.Requests.Where(r => r.StatusCode == 200).Select(r => r.Path).Should().Equal(
            "/certificates/app", $"/secrets/app/{version.Version}", "/certificates/app", "/certificates/app", $"/secrets/app/{version.Version}");
    }

    [Fact]
    public async Task A_disabled_newest_version_falls_back_to_the_newest_usable_one()
    {
        var older = CreateRegistered("app", "CN=older");
        var newest = Vault.CreateCertificate("app", "CN=newest");
        Vault.SetEnabled("app", newest.Version, enabled: false);

        using var credential = AppCredential("app", o => o.LoggerFactory = _logs.Factory());
        await credential.GetTokenAsync();

        credential.CertificateSubject.Should().Be("CN=older");
        _logs.WithId(1501).Should().ContainSingle().Which.Message.Should().Contain(newest.Version).And.Contain("is disabled").And.Contain(older.Version);
    }

    [Fact]
    public void A_missing_certificate_fails_the_start_and_says_so()
    {
        var refusal = StartFails(Source("nope"));

        refusal.Failure.Should().Be(CertificateCredentialFailure.CertificateSourceFailed);
        refusal.Message.Should().Contain("has no certificate 'nope'").And.Contain("soft-deleted");
    }

    [Fact]
    public void An_unreachable_vault_fails_the_start_and_says_what_to_check()
    {
        var source = new KeyVaultCertificateSource(new Uri("https://127.0.0.1:1/"), "app", VaultCredential, SourceOptions());

        var refusal = StartFails(source);

        refusal.Failure.Should().Be(CertificateCredentialFailure.CertificateSourceFailed);
        refusal.Message.Should().Contain("could not be reached").And.Contain("firewall");
    }

    [Theory]
    [InlineData(KeyVaultPermissions.CertificatesGet, "'certificates get'", "Key Vault Certificate User")]
    [InlineData(KeyVaultPermissions.SecretsGet, "'secrets get'", "Key Vault Secrets User")]
    public void A_missing_permission_fails_the_start_and_names_the_permission_and_role(KeyVaultPermissions missing, string permission, string role)
    {
        Vault.CreateCertificate("app");
        Vault.Grant(TestIdentity.ClientId, KeyVaultPermissions.All & ~missing);

        var refusal = StartFails(Source("app"));

        refusal.Failure.Should().Be(CertificateCredentialFailure.CertificateSourceFailed);
        refusal.Message.Should().Contain(permission).And.Contain(role);
    }

    [Fact]
    public void A_non_exportable_key_without_keys_sign_fails_the_start_and_says_why_the_vault_must_sign()
    {
        Vault.CreateCertificate("hsm", options: new KeyVaultCertificateOptions { Exportable = false });
        Vault.Grant(TestIdentity.ClientId, KeyVaultPermissions.All & ~KeyVaultPermissions.KeysSign);

        var refusal = StartFails(Source("hsm"));

        refusal.Failure.Should().Be(CertificateCredentialFailure.SigningFailed);
        refusal.Message.Should().Contain("'keys sign'").And.Contain("Key Vault Crypto User").And.Contain("not exportable");
    }

    [Fact]
    public void A_non_exportable_key_is_refused_when_signing_in_the_vault_is_off()
    {
        Vault.CreateCertificate("hsm", options: new KeyVaultCertificateOptions { Exportable = false });

        var refusal = StartFails(Source("hsm", o => o.AllowSigningInVault = false));

        refusal.Failure.Should().Be(CertificateCredentialFailure.CertificateWithoutPrivateKey);
        refusal.Message.Should().Contain("not exportable").And.Contain("AllowSigningInVault");
        Vault.SignCount.Should().Be(0);
    }

    [Fact]
    public async Task A_secret_without_a_key_under_an_exportable_policy_is_signed_for_in_the_vault()
    {
        var version = CreateRegistered("app", "CN=keyless", new KeyVaultCertificateOptions { SecretWithoutKey = true });

        using var credential = AppCredential("app", o => o.LoggerFactory = _logs.Factory());
        await credential.RefreshTokenAsync();

        Vault.Requests.Where(r => r.StatusCode == 200).Select(r => r.Path).Should().StartWith(["/certificates/app", $"/secrets/app/{version.Version}"]);
        Vault.SignCount.Should().Be(2, "the check signature, then one for the token request");
        Entra.Service.Requests.Should().ContainSingle(r => r.Form["client_id"] == AppClientId)
            .Which.Assertion!.GetHeaderValue<string>("x5t#S256").Should().Be(X5tS256(version.Certificate));
        _logs.WithId(1500).Should().ContainSingle().Which.Message.Should().Contain("stays in the vault");
    }

    [Fact]
    public void A_secret_without_a_key_is_refused_with_the_fix_when_signing_in_the_vault_is_off()
    {
        var version = Vault.CreateCertificate("app", options: new KeyVaultCertificateOptions { SecretWithoutKey = true });

        var refusal = StartFails(Source("app", o => o.AllowSigningInVault = false));

        refusal.Failure.Should().Be(CertificateCredentialFailure.CertificateWithoutPrivateKey);
        refusal.Message.Should().Contain($"The secret of version {version.Version}").And.Contain("without its key, though its policy makes the key exportable")
            .And.Contain("AllowSigningInVault").And.Contain("import the certificate again as a PFX with its key");
        Vault.SignCount.Should().Be(0);
    }

    [Fact]
    public async Task A_token_the_vault_refuses_fails_the_start_with_401_and_says_where_the_token_must_come_from()
    {
        // The vault credential's tokens come from another token service (another cloud or directory) than the vault trusts.
        Vault.CreateCertificate("app");
        await using var elsewhere = await LocalEntra.StartAsync();
        var source = new KeyVaultCertificateSource(Vault.VaultUri, "app", elsewhere.Credential().AsTokenCredential(), SourceOptions());

        var refusal = StartFails(source);

        refusal.Failure.Should().Be(CertificateCredentialFailure.CertificateSourceFailed);
        refusal.Message.Should().Contain("refused the vault credential's token").And.Contain("(401)").And.Contain("AKV10032")
            .And.Contain("in the vault's own tenant");
        elsewhere.Service.TokenRequestCount.Should().Be(1);
        Vault.Requests.Should().OnlyContain(r => r.StatusCode == 401);
    }

    [Theory]
    [InlineData(KeyVaultPermissions.CertificatesGet, "'certificates get'", "Key Vault Certificate User", "Microsoft.KeyVault/vaults/certificates/read")]
    [InlineData(KeyVaultPermissions.SecretsGet, "'secrets get'", "Key Vault Secrets User", "Microsoft.KeyVault/vaults/secrets/getSecret/action")]
    public async Task A_missing_RBAC_role_fails_the_start_and_names_the_role_and_action(KeyVaultPermissions missing, string permission, string role, string action)
    {
        await RestartVaultAsync(KeyVaultPermissionModel.Rbac);
        Vault.CreateCertificate("app");
        Vault.Grant(TestIdentity.ClientId, KeyVaultPermissions.All & ~missing);

        var refusal = StartFails(Source("app"));

        refusal.Failure.Should().Be(CertificateCredentialFailure.CertificateSourceFailed);
        refusal.Message.Should().Contain("ForbiddenByRbac").And.Contain(permission).And.Contain(role).And.Contain(action);
    }

    [Fact]
    public void A_disabled_certificate_fails_the_start_and_says_to_enable_it()
    {
        var only = Vault.CreateCertificate("off");
        Vault.SetEnabled("off", only.Version, enabled: false);

        var refusal = StartFails(Source("off"));

        refusal.Message.Should().Contain($"newest version {only.Version}").And.Contain("is disabled").And.Contain("Enable that version");
    }

    [Fact]
    public void An_expired_or_not_yet_valid_certificate_fails_the_start_and_says_what_to_do()
    {
        var now = TimeProvider.System.GetUtcNow();
        Vault.CreateCertificate("old", notBefore: now.AddYears(-1), notAfter: now.AddDays(-1));
        Vault.CreateCertificate("soon", notBefore: now.AddDays(1), notAfter: now.AddYears(1));

        StartFails(Source("old")).Message.Should().Contain("expired").And.Contain("Renew it in the vault");
        StartFails(Source("soon")).Message.Should().Contain("not valid before").And.Contain("clock");
    }

    [Fact]
    public void A_key_that_is_not_RSA_fails_the_start()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = TimeProvider.System.GetUtcNow();
        using var certificate = new CertificateRequest("CN=ec", ec, HashAlgorithmName.SHA256).CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
        Vault.ImportCertificate("ec", certificate);

        var refusal = StartFails(Source("ec"));

        refusal.Failure.Should().Be(CertificateCredentialFailure.PrivateKeyNotRsa);
        refusal.Message.Should().Contain("key type RSA");
        Vault.Requests.Should().NotContain(r => r.Path.StartsWith("/secrets/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_new_version_that_fails_on_a_reload_leaves_the_old_key_serving_until_it_loads()
    {
        var first = CreateRegistered("app", "CN=first");
        var second = CreateRegistered("app", "CN=second");
        Vault.SetEnabled("app", second.Version, enabled: false);
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        using var credential = AppCredential("app", change: o => o.CertificateReloadInterval = TimeSpan.FromMinutes(1), timeProvider: time, logger: _logs.Logger());
        credential.CertificateSubject.Should().Be("CN=first");

        // The second version is enabled, but its secret may no longer be read.
        Vault.SetEnabled("app", second.Version, enabled: true);
        Vault.Grant(TestIdentity.ClientId, KeyVaultPermissions.All & ~KeyVaultPermissions.SecretsGet);
        time.Advance(TimeSpan.FromMinutes(1));
        await Eventually.TrueAsync(() => _logs.WithId(1302).Any(), "the first failed check is deferred");
        time.Advance(TimeSpan.FromMinutes(1));
        await Eventually.TrueAsync(() => _logs.WithId(1301).Any(), "the second is reported");

        _logs.WithId(1301).Should().ContainSingle().Which.Message.Should().Contain("'secrets get'");
        credential.CertificateSubject.Should().Be("CN=first");
        await credential.RefreshTokenAsync();
        Entra.Service.Requests[^1].Assertion!.GetHeaderValue<string>("x5t#S256").Should().Be(X5tS256(first.Certificate), "the old key keeps serving");

        Vault.Grant(TestIdentity.ClientId, KeyVaultPermissions.All);
        time.Advance(TimeSpan.FromMinutes(1));
        await Eventually.TrueAsync(() => credential.CertificateSubject == "CN=second", "the next check switches once the secret can be read");
        await credential.RefreshTokenAsync();
        Entra.Service.Requests[^1].Assertion!.GetHeaderValue<string>("x5t#S256").Should().Be(X5tS256(second.Certificate));
    }

    private CertificateCredentialException StartFails(KeyVaultCertificateSource source) =>
        FluentActions.Invoking(() => new CertificateClientCredential(AppOptions(source))).Should().Throw<CertificateCredentialException>().Which;
}
