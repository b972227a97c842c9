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
    public void A_key_path_that_is_a_directory_says_so()
    {
        var e = Assert.Throws<CertificateCredentialException>(() => new CertificateClientCredential(TestOptions.Rsa2048(o => o.PrivateKeyPath = Path.GetDirectoryName(Fixture.Path("rsa2048.pkcs8.pem")))));
        e.Failure.Should().Be(CertificateCredentialFailure.FileUnreadable);
        e.Message.Should().Contain("is a directory, not a file").And.Contain("Give the path of the key or certificate file inside it");
    }
}
