using System.Security.Cryptography;
using CertCredentials.Tests.Infrastructure;

namespace CertCredentials.Tests.Security;

public sealed class KeyHygieneTests
{
    [Fact]
    public void Disposing_the_credential_disposes_the_private_key()
    {
        var credential = new CertificateClientCredential(TestOptions.Rsa2048());
        var key = credential.Identity.PrivateKey!;
        credential.CreateClientAssertion().Should().NotBeNullOrEmpty();

        credential.Dispose();

        FluentActions.Invoking(() => key.SignData([1, 2, 3], HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)).Should().Throw<ObjectDisposedException>();
        FluentActions.Invoking(credential.CreateClientAssertion).Should().Throw<CertificateCredentialException>()
            .Which.Failure.Should().Be(CertificateCredentialFailure.Disposed);
        FluentActions.Invoking(credential.Dispose).Should().NotThrow("disposing twice is harmless");
        credential.ToString().Should().Contain(TestOptions.ClientId, "ToString never throws, even after Dispose");
        credential.CertificateSubject.Should().Contain("rsa2048");
    }

    [Fact]
    public void Assertions_live_ten_minutes_at_most_and_are_never_reused()
    {
        using var credential = new CertificateClientCredential(TestOptions.Rsa2048());
        var assertions = Enumerable.Range(0, 10).Select(_ => new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(credential.CreateClientAssertion())).ToList();
        assertions.Should().OnlyContain(a => a.ValidTo - a.ValidFrom <= TimeSpan.FromMinutes(10));
        assertions.Select(a => a.Id).Should().OnlyHaveUniqueItems();
        assertions.Select(a => a.EncodedToken).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void Warns_when_a_key_file_is_readable_by_group_or_others()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // POSIX permissions only
        }

        var path = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.pem");
        File.Copy(Fixture.Path("rsa2048.pkcs8.pem"), path);
        try
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            var logs = new LogCapture();
            using (new CertificateClientCredential(TestOptions.Rsa2048(o => o.PrivateKeyPath = path), logger: logs.Logger()))
            {
                logs.WithId(1001).Should().ContainSingle().Which.Message.Should().Contain("chmod 600").And.Contain(path);
            }

            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            var quiet = new LogCapture();
            using (new CertificateClientCredential(TestOptions.Rsa2048(o => o.PrivateKeyPath = path), logger: quiet.Logger()))
            {
                quiet.WithId(1001).Should().BeEmpty();
            }
        }
        finally
        {
            File.Delete(path);
        }
    }
}
