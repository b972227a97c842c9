using CertCredentials.Keys;
using CertCredentials.Tests.Infrastructure;

namespace CertCredentials.Tests.Keys;

/// <summary>The words of a missing file: where a relative path was resolved, and never a secret pasted as the path.</summary>
public sealed class KeyErrorsTests
{
    private static readonly KeySource Source = KeySource.PrivateKeyFile("key.pem");

    [Fact]
    public void A_missing_file_under_the_content_root_names_the_content_root()
    {
        KeyErrors.FileMissing(Source, "/srv/app/keys/key.pem", "PrivateKeyPath", "/srv/app").Message.Should().Be(
            "The file '/srv/app/keys/key.pem' given in PrivateKeyPath does not exist (a relative PrivateKeyPath is resolved against the content root '/srv/app', " +
            "IHostEnvironment.ContentRootPath, as appsettings.json is). Check the path, or give an absolute one.");
    }

    [Fact]
    public void A_missing_absolute_file_outside_the_content_root_only_asks_to_check_the_path()
    {
        var e = KeyErrors.FileMissing(Source, "/etc/other/key.pem", "CertificatePath", "/srv/app");

        e.Failure.Should().Be(CertificateCredentialFailure.FileUnreadable);
        e.Message.Should().Be("The file '/etc/other/key.pem' given in CertificatePath does not exist. Check the path.");
    }

    [Fact]
    public void A_missing_relative_file_without_a_content_root_names_the_current_directory()
    {
        KeyErrors.FileMissing(Source, "keys/key.pem", "PrivateKeyPath").Message.Should().Be(
            $"The file 'keys/key.pem' given in PrivateKeyPath does not exist (a relative path, resolved against the current directory '{Environment.CurrentDirectory}'). " +
            "Check the path, or give an absolute one.");
    }

    [Fact]
    public void A_key_pasted_as_a_relative_path_under_the_content_root_is_described_not_echoed()
    {
        var key = Fixture.Text("rsa2048.pkcs8.pem");

        var e = KeyErrors.FileMissing(Source, "/srv/app/" + key, "PrivateKeyPath", "/srv/app");

        e.Message.Should().StartWith("The file (").And.Contain("characters starting with -----BEGIN PRIVATE KEY-----: was a key pasted here?").And.Contain("given in PrivateKeyPath does not exist (a relative PrivateKeyPath is resolved against the content root '/srv/app'");
        SecretScan.AssertClean(e, key);
    }
}
