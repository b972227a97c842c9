using CertCredentials.Tests.Infrastructure;

namespace CertCredentials.Tests.Configuration;

/// <summary>Refused before any request, every problem at once, each with its fix.</summary>
public sealed class OptionsValidationTests
{
    private static CertificateCredentialException Refuse(Action<CertificateClientCredentialOptions> change)
    {
        var e = Assert.Throws<CertificateCredentialException>(() => new CertificateClientCredential(TestOptions.Rsa2048(change)));
        e.Failure.Should().Be(CertificateCredentialFailure.InvalidOptions, e.Message);
        return e;
    }

    [Theory]
    [InlineData("common")]
    [InlineData("organizations")]
    [InlineData("Consumers")]
    public void Refuses_multi_tenant_aliases(string tenant) =>
        Refuse(o => o.TenantId = tenant).Message.Should().Contain("AADSTS9001023").And.Contain($"'{tenant}'");

    [Fact]
    public void Refuses_empty_tenant() => Refuse(o => o.TenantId = " ").Message.Should().Contain("TenantId is empty");

    [Fact]
    public void Refuses_a_tenant_that_is_neither_guid_nor_domain() =>
        Refuse(o => o.TenantId = "contoso").Message.Should().Contain("neither a GUID nor a domain");

    [Fact]
    public void Accepts_a_verified_domain_tenant()
    {
        using var credential = new CertificateClientCredential(TestOptions.Rsa2048(o => o.TenantId = "contoso.onmicrosoft.com"));
        credential.TokenEndpoint.Should().Be(new Uri("https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"));
    }

    [Fact]
    public void Refuses_empty_client_id() => Refuse(o => o.ClientId = "").Message.Should().Contain("ClientId is empty");

    [Fact]
    public void Refuses_a_client_id_that_is_not_a_guid() =>
        Refuse(o => o.ClientId = "my-daemon-app").Message.Should().Contain("is not a GUID").And.Contain("not the app's name");

    [Fact]
    public void Refuses_swapped_or_equal_tenant_and_client() =>
        Refuse(o => o.ClientId = o.TenantId).Message.Should().Contain("ClientId and TenantId are the same value");

    [Theory]
    [InlineData("https://graph.microsoft.com", "Use https://graph.microsoft.com/.default")]
    [InlineData("https://graph.microsoft.com/User.Read.All", "use https://graph.microsoft.com/.default")]
    [InlineData("User.Read.All", "looks like a permission name")]
    [InlineData("00000003-0000-0000-c000-000000000000", "Use 00000003-0000-0000-c000-000000000000/.default")]
    [InlineData("https://graph.microsoft.com/.default https://vault.azure.net/.default", "several scopes")]
    [InlineData("", "Scope is empty")]
    public void Refuses_a_scope_without_default_and_says_which(string scope, string fix) =>
        Refuse(o => o.Scope = scope).Message.Should().Contain(fix);

    [Fact]
    public void Refuses_plain_http_to_a_remote_host() =>
        Refuse(o => o.TokenEndpoint = new Uri("http://login.example.com/t/oauth2/v2.0/token")).Message.Should().Contain("plain http").And.Contain("unencrypted");

    [Theory]
    [InlineData("http://127.0.0.1:8080/t/oauth2/v2.0/token")]
    [InlineData("http://localhost:8080/t/oauth2/v2.0/token")]
    [InlineData("http://[::1]:8080/t/oauth2/v2.0/token")]
    public void Allows_plain_http_to_loopback(string endpoint)
    {
        using var credential = new CertificateClientCredential(TestOptions.Rsa2048(o => o.TokenEndpoint = new Uri(endpoint)));
        credential.TokenEndpoint.Should().Be(new Uri(endpoint));
    }

    [Fact]
    public void Refuses_an_authority_host_with_a_path() =>
        Refuse(o => o.AuthorityHost = new Uri($"https://login.microsoftonline.com/{TestOptions.TenantId}")).Message.Should().Contain("host only");

    [Fact]
    public void Refuses_an_unknown_signing_algorithm() =>
        Refuse(o => o.SigningAlgorithm = "HS256").Message.Should().Contain("Use RS256");

    [Fact]
    public void Reports_every_problem_at_once()
    {
        var e = Refuse(o => { o.TenantId = "common"; o.ClientId = ""; o.Scope = "User.Read"; o.SigningAlgorithm = "ES256"; o.MaxRetries = -1; });
        e.Message.Should().StartWith("The certificate credential options have 5 problems:")
            .And.Contain("1. ").And.Contain("5. ");
    }

    [Fact]
    public void Options_are_checked_before_the_key()
    {
        // A bad tenant is reported even though the key path is also wrong: options first, then key.
        var e = Refuse(o => { o.TenantId = "common"; o.PrivateKeyPath = "/nonexistent/key.pem"; });
        e.Message.Should().Contain("common");
    }

    [Fact]
    public void Later_changes_to_the_options_do_not_reach_the_credential()
    {
        var options = TestOptions.Rsa2048();
        using var credential = new CertificateClientCredential(options);
        options.Scope = "https://vault.azure.net/.default";
        credential.Scope.Should().Be(TestOptions.Scope);
    }

    [Fact]
    public void Credential_ToString_holds_no_secret()
    {
        using var credential = new CertificateClientCredential(TestOptions.Rsa2048(o => { o.PrivateKeyPath = Fixture.Path("rsa2048.pkcs8.aes256-sha256.pem"); o.PrivateKeyPassphrase = Fixture.Passphrase; }));
        var text = credential.ToString();
        text.Should().Contain(TestOptions.ClientId).And.Contain("x5t#S256=");
        SecretScan.AssertClean(text, Fixture.Text("rsa2048.pkcs8.pem"), Fixture.Passphrase);
    }
}
