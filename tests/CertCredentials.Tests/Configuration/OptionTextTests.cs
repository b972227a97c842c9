using CertCredentials.Configuration;
using CertCredentials.Tests.Infrastructure;

namespace CertCredentials.Tests.Configuration;

/// <summary>
/// A key or passphrase pasted into an option that is echoed (a path, the tenant, the scope...) is described, never
/// echoed, by the one helper every message and ToString() goes through; real values are still shown as they are.
/// </summary>
public sealed class OptionTextTests
{
    private static readonly string Key = Fixture.Text("rsa2048.pkcs8.pem");

    [Fact]
    public void A_key_pasted_into_PrivateKeyPath_is_described_in_the_missing_file_message()
    {
        var e = Assert.Throws<CertificateCredentialException>(() => new CertificateClientCredential(TestOptions.Rsa2048(o => o.PrivateKeyPath = Key)));

        e.Failure.Should().Be(CertificateCredentialFailure.FileUnreadable);
        e.Message.Should().Contain($"({Key.Trim().Length:N0} characters starting with -----BEGIN PRIVATE KEY-----: was a key pasted here?) given in PrivateKeyPath does not exist");
        SecretScan.AssertClean(e, Key);
    }

    [Fact]
    public void A_key_pasted_into_three_options_is_described_three_times_in_ToString()
    {
        var options = TestOptions.Rsa2048(o =>
        {
            o.PrivateKeyPath = Key;
            o.CertificatePath = Key;
            o.CertificateThumbprint = Key;
        });

        var text = options.ToString();

        SecretScan.AssertClean(text, Key);
        text.Split("starting with -----BEGIN PRIVATE KEY-----: was a key pasted here?").Should().HaveCount(4);
    }

    [Theory]
    [InlineData("rsa2048.pkcs8.pem")]
    [InlineData("rsa2048.pkcs8.escaped.txt")]
    [InlineData("rsa2048.pkcs8.oneline.txt")]
    [InlineData("rsa2048.pkcs8.b64.txt")]
    [InlineData("rsa2048.pfx.b64.txt")]
    public void Key_material_is_never_echoed_whatever_the_option(string fixture)
    {
        var secret = Fixture.Text(fixture);
        foreach (var kind in Enum.GetValues<OptionKind>())
        {
            OptionText.CanEcho(secret, kind).Should().BeFalse($"{fixture} as {kind}");
            var shown = OptionText.Quote(secret, kind);
            shown.Should().Contain("was a key");
            SecretScan.AssertClean(shown, secret);
        }
    }

    [Theory]
    [InlineData("Tenant")]
    [InlineData("ClientId")]
    [InlineData("Scope")]
    [InlineData("Path")]
    [InlineData("Url")]
    [InlineData("Algorithm")]
    [InlineData("Thumbprint")]
    public void A_passphrase_with_symbols_is_described(string kind) =>
        OptionText.Quote(Fixture.Passphrase, Enum.Parse<OptionKind>(kind)).Should().NotContain(Fixture.Passphrase).And.Contain("18 characters").And.Contain("or other secret pasted here?");

    [Fact]
    public void Text_longer_than_the_option_can_hold_is_described()
    {
        var tenant = new string('a', 300) + ".com";
        OptionText.Quote(tenant, OptionKind.Tenant).Should().Be("(304 characters, longer than a tenant ID or domain name can be: was a key or other secret pasted here?)");
    }

    [Theory]
    [InlineData("11111111-2222-3333-4444-555555555555", "Tenant")]
    [InlineData("{11111111-2222-3333-4444-555555555555}", "Tenant")]
    [InlineData("contoso.onmicrosoft.com", "Tenant")]
    [InlineData("contoso", "Tenant")]
    [InlineData("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "ClientId")]
    [InlineData("https://graph.microsoft.com/.default", "Scope")]
    [InlineData("api://11111111-2222-3333-4444-555555555555/.default", "Scope")]
    [InlineData("https://graph.microsoft.com/.default https://vault.azure.net/.default", "Scope")]
    [InlineData("User.Read.All", "Scope")]
    [InlineData("/etc/keys/app.pem", "Path")]
    [InlineData("keys/app.pem", "Path")]
    [InlineData(@"C:\keys\app.pfx", "Path")]
    [InlineData("/mnt/secrets-store/CertCredentialsPrivateKeyForProductionTenant0001", "Path")]
    [InlineData("https://login.microsoftonline.com", "Url")]
    [InlineData("RS512", "Algorithm")]
    [InlineData("3A:4B:5C:6D:7E:8F:90:A1:B2:C3:D4:E5:F6:07:18:29:3A:4B:5C:6D", "Thumbprint")]
    public void Real_values_are_shown_as_they_are(string value, string kind)
    {
        OptionText.Quote(value, Enum.Parse<OptionKind>(kind)).Should().Be($"'{value}'");
        OptionText.Show(value, Enum.Parse<OptionKind>(kind)).Should().Be(value);
    }

    [Fact]
    public void The_validation_message_describes_a_passphrase_pasted_into_TenantId()
    {
        var e = Assert.Throws<CertificateCredentialException>(() => new CertificateClientCredential(TestOptions.Rsa2048(o => o.TenantId = Fixture.Passphrase)));
        e.Message.Should().Contain("TenantId (18 characters that cannot be a tenant ID or domain name: was a passphrase or other secret pasted here?) is neither a GUID nor a domain name");
        e.Message.Should().NotContain(Fixture.Passphrase);
    }
}
