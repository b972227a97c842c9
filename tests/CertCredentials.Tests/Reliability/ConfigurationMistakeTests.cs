using CertCredentials.Tests.Infrastructure;

namespace CertCredentials.Tests.Reliability;

/// <summary>The mistakes users make most, each answered with the fix.</summary>
public sealed class ConfigurationMistakeTests : IAsyncLifetime
{
    private LocalEntra _entra = null!;

    public async Task InitializeAsync() => _entra = await LocalEntra.StartAsync();

    public async Task DisposeAsync() => await _entra.DisposeAsync();

    [Fact]
    public async Task Swapped_tenant_and_client_ids_are_named_as_a_possible_cause()
    {
        var credential = _entra.Credential(o => o.TokenEndpoint = _entra.Service.GetTokenEndpoint(TestOptions.ClientId));
        var e = await FluentActions.Awaiting(() => credential.GetTokenAsync().AsTask()).Should().ThrowAsync<TokenEndpointException>();
        e.Which.Message.Should().StartWith("AADSTS90002:").And.Contain("TenantId and ClientId swapped").And.Contain("Directory (tenant) ID");
    }

    [Fact]
    public void A_scope_of_a_resource_without_default_gets_the_corrected_scope()
    {
        var e = Assert.Throws<CertificateCredentialException>(() => new CertificateClientCredential(TestOptions.Rsa2048(o => o.Scope = "https://management.azure.com/")));
        e.Message.Should().Contain("Use https://management.azure.com/.default");
    }

    [Fact]
    public void A_thumbprint_of_another_certificate_says_which_one_is_right()
    {
        var e = Assert.Throws<CertificateCredentialException>(() => new CertificateClientCredential(TestOptions.Rsa2048(o => o.CertificateThumbprint = Fixture.Thumbprints("other.thumbprints.txt")["sha1_hex"])));
        e.Failure.Should().Be(CertificateCredentialFailure.ThumbprintMismatch);
        e.Message.Should().Contain(Fixture.Thumbprints("rsa2048.thumbprints.txt")["sha1_hex"]).And.Contain("Leave CertificateThumbprint empty");
    }

    [Fact]
    public void A_tenant_and_client_id_in_braces_as_PowerShell_prints_them_are_used_without_them()
    {
        using var credential = new CertificateClientCredential(TestOptions.Rsa2048(o =>
        {
            o.TenantId = "{" + TestOptions.TenantId + "}";
            o.ClientId = " {" + TestOptions.ClientId + "} ";
        }));
        credential.TenantId.Should().Be(TestOptions.TenantId);
        credential.ClientId.Should().Be(TestOptions.ClientId);
        credential.TokenEndpoint.Should().Be(new Uri($"https://login.microsoftonline.com/{TestOptions.TenantId}/oauth2/v2.0/token"));
        credential.ForTenant("{" + TestOptions.TenantId + "}", TestOptions.Scope).TenantId.Should().Be(TestOptions.TenantId);
    }

    [Fact]
    public void A_certificate_path_to_a_key_only_file_says_it_holds_a_key_not_a_certificate()
    {
        var e = Assert.Throws<CertificateCredentialException>(() => new CertificateClientCredential(TestOptions.Rsa2048(o => o.CertificatePath = Fixture.Path("rsa2048.pkcs8.pem"))));
        e.Failure.Should().Be(CertificateCredentialFailure.ThumbprintMissing);
        e.Message.Should().StartWith($"The file '{Fixture.Path("rsa2048.pkcs8.pem")}' (CertificatePath) holds a private key, not a certificate")
            .And.Contain("Point CertificatePath at the certificate file").And.NotContain("Neither a certificate");
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("  ")]
    public void A_passphrase_with_surrounding_whitespace_is_used_trimmed_and_warned_once(string whitespace)
    {
        var logs = new LogCapture();
        using var credential = new CertificateClientCredential(TestOptions.Rsa2048(o =>
        {
            o.PrivateKeyPath = Fixture.Path("rsa2048.pkcs8.aes256-sha256.pem");
            o.PrivateKeyPassphrase = Fixture.Passphrase + whitespace;
        }), logger: logs.Logger());

        credential.CreateClientAssertion().Should().NotBeNullOrEmpty();
        var warning = logs.WithId(1004).Should().ContainSingle().Subject;
        warning.Level.Should().Be(Microsoft.Extensions.Logging.LogLevel.Warning);
        warning.Message.Should().Contain("surrounding whitespace").And.Contain(TestOptions.ClientId);
        logs.AllText().Should().NotContain(Fixture.Passphrase);
    }

    [Fact]
    public void A_passphrase_that_is_wrong_trimmed_too_is_refused_as_given()
    {
        var e = Assert.Throws<CertificateCredentialException>(() => new CertificateClientCredential(TestOptions.Rsa2048(o =>
        {
            o.PrivateKeyPath = Fixture.Path("rsa2048.pkcs8.aes256-sha256.pem");
            o.PrivateKeyPassphrase = "Wrong-Passphrase\n";
        })));
        e.Failure.Should().Be(CertificateCredentialFailure.PassphraseIncorrect);
    }

    [Fact]
    public void An_exact_passphrase_logs_no_whitespace_warning()
    {
        var logs = new LogCapture();
        using var credential = new CertificateClientCredential(TestOptions.Rsa2048(o =>
        {
            o.PrivateKeyPath = Fixture.Path("rsa2048.pkcs8.aes256-sha256.pem");
            o.PrivateKeyPassphrase = Fixture.Passphrase;
        }), logger: logs.Logger());
        logs.WithId(1004).Should().BeEmpty();
    }

    [Fact]
    public void A_key_path_that_is_a_directory_says_so()
    {
        var e = Assert.Throws<CertificateCredentialException>(() => new CertificateClientCredential(TestOptions.Rsa2048(o => o.PrivateKeyPath = Path.GetDirectoryName(Fixture.Path("rsa2048.pkcs8.pem")))));
        e.Failure.Should().Be(CertificateCredentialFailure.FileUnreadable);
        e.Message.Should().Contain("is a directory, not a file").And.Contain("Give the path of the key or certificate file inside it");
    }
}
