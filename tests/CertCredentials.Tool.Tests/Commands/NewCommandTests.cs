using CertCredentials.Tool.Tests.Infrastructure;

namespace CertCredentials.Tool.Tests.Commands;

public sealed class NewCommandTests : IDisposable
{
    private const string Secret = "correct horse battery staple";
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static Dictionary<string, string> PassphraseVariable => new() { ["APP_KEY_PASSPHRASE"] = Secret };

    [Theory]
    [MemberData(nameof(ToolRunner.Ways), MemberType = typeof(ToolRunner))]
    public async Task An_encrypted_key_and_its_certificate_load_in_the_library_and_in_openssl(string way)
    {
        var result = await ToolRunner.For(way).RunAsync(
            ["new", "--subject", "CN=my-app", "--passphrase-env", "APP_KEY_PASSPHRASE", "--pfx", "--json"], _directory.Path, PassphraseVariable);

        result.ExitCode.Should().Be(0, result.ToString());
        var keyPath = _directory.File("key.pem");
        var certificatePath = _directory.File("cert.pem");
        File.ReadAllText(keyPath).Should().StartWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        File.GetUnixFileMode(keyPath).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.GetUnixFileMode(_directory.File("cert.pfx")).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);

        // The library reads what new wrote, and sends the thumbprint new printed.
        using var credential = new CertificateClientCredential(new CertificateClientCredentialOptions
        {
            TenantId = "contoso.onmicrosoft.com",
            ClientId = "6f1c2b3a-0000-4000-8000-000000000001",
            Scope = "https://graph.microsoft.com/.default",
            PrivateKeyPath = keyPath,
            PrivateKeyPassphrase = Secret,
            CertificatePath = certificatePath,
        });
        var json = result.Json;
        credential.Thumbprint.Base64Url.Should().Be(json.GetProperty("certificate").GetProperty("x5tS256").GetString());
        credential.CertificateSubject.Should().Be("CN=my-app");

        // openssl reads the key with the passphrase, the certificate and the .pfx, and agrees on the thumbprint.
        var pkey = await Openssl.RunAsync(PassphraseVariable, "pkey", "-in", keyPath, "-passin", "env:APP_KEY_PASSPHRASE", "-noout", "-text");
        pkey.ExitCode.Should().Be(0, pkey.Error);
        pkey.Output.Should().Contain("Private-Key: (2048 bit");
        var x509 = await Openssl.RunAsync("x509", "-in", certificatePath, "-noout", "-fingerprint", "-sha1", "-ext", "keyUsage,extendedKeyUsage,basicConstraints");
        x509.ExitCode.Should().Be(0, x509.Error);
        x509.Output.Should().Contain("Fingerprint=" + json.GetProperty("certificate").GetProperty("sha1Colons").GetString())
            .And.Contain("Digital Signature").And.Contain("TLS Web Client Authentication").And.Contain("CA:FALSE");
        var pkcs12 = await Openssl.RunAsync(PassphraseVariable, "pkcs12", "-in", _directory.File("cert.pfx"), "-passin", "env:APP_KEY_PASSPHRASE", "-noout");
        pkcs12.ExitCode.Should().Be(0, pkcs12.Error);
        (await Openssl.RunAsync("pkey", "-in", keyPath, "-passin", "pass:wrong", "-noout")).ExitCode.Should().NotBe(0, "the key is encrypted");

        result.Output.Should().NotContain(Secret).And.NotContain("PRIVATE KEY");
        result.Error.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(ToolRunner.Ways), MemberType = typeof(ToolRunner))]
    public async Task The_text_output_names_the_files_every_thumbprint_form_the_expiry_and_the_next_steps(string way)
    {
        var result = await ToolRunner.For(way).RunAsync(_directory.Path, "new", "--subject", "CN=orders-api", "--no-passphrase", "--days", "30", "--key-size", "3072");

        result.ExitCode.Should().Be(0, result.ToString());
        using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(_directory.File("cert.pem")));
        var sha1 = CertificateThumbprint.Compute(certificate, ThumbprintAlgorithm.Sha1);
        var sha256 = CertificateThumbprint.Compute(certificate);
        result.Output.Should().Contain(_directory.File("key.pem")).And.Contain(_directory.File("cert.pem"))
            .And.Contain(sha256.Base64Url).And.Contain(sha1.Base64Url).And.Contain(sha1.Hex).And.Contain(sha256.Hex)
            .And.Contain(certificate.NotAfter.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture))
            .And.Contain("Certificates & secrets").And.Contain("\"PrivateKeyPath\"").And.Contain("certcred check")
            .And.Contain("RSA-3072");
        (certificate.NotAfter - certificate.NotBefore).Should().BeCloseTo(TimeSpan.FromDays(30) + TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(2));
        File.ReadAllText(_directory.File("key.pem")).Should().StartWith("-----BEGIN PRIVATE KEY-----");
        (await Openssl.RunAsync("pkey", "-in", _directory.File("key.pem"), "-noout")).ExitCode.Should().Be(0);
        File.Exists(_directory.File("cert.pfx")).Should().BeFalse("no --pfx");
    }

    [Theory]
    [MemberData(nameof(ToolRunner.Ways), MemberType = typeof(ToolRunner))]
    public async Task Existing_files_are_kept_without_force_and_replaced_with_it(string way)
    {
        var tool = ToolRunner.For(way);
        (await tool.RunAsync(_directory.Path, "new", "--subject", "CN=first", "--no-passphrase")).ExitCode.Should().Be(0);
        var key = File.ReadAllBytes(_directory.File("key.pem"));
        var certificate = File.ReadAllBytes(_directory.File("cert.pem"));

        var refused = await tool.RunAsync(_directory.Path, "new", "--subject", "CN=second", "--no-passphrase", "--pfx");

        refused.ExitCode.Should().Be(7, refused.ToString());
        refused.RefusalLines.Should().ContainSingle().Which.Should().Contain("already exist").And.Contain("--force");
        refused.Error.Should().NotContain("   at ");
        File.ReadAllBytes(_directory.File("key.pem")).Should().Equal(key);
        File.ReadAllBytes(_directory.File("cert.pem")).Should().Equal(certificate);
        File.Exists(_directory.File("cert.pfx")).Should().BeFalse("nothing is written when anything would be overwritten");

        var forced = await tool.RunAsync(_directory.Path, "new", "--subject", "CN=second", "--no-passphrase", "--force");

        forced.ExitCode.Should().Be(0, forced.ToString());
        File.ReadAllBytes(_directory.File("key.pem")).Should().NotEqual(key);
        File.GetUnixFileMode(_directory.File("key.pem")).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Directory.GetFiles(_directory.Path, "*.tmp", SearchOption.AllDirectories).Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(ToolRunner.Ways), MemberType = typeof(ToolRunner))]
    public async Task A_passphrase_file_gives_its_first_line_and_an_out_directory_is_made(string way)
    {
        File.WriteAllText(_directory.File("passphrase.txt"), Secret + "\nnot part of it\n");

        var result = await ToolRunner.For(way).RunAsync(_directory.Path, "new", "--subject", "CN=from-file", "--passphrase-file", "passphrase.txt", "--out", "keys/app");

        result.ExitCode.Should().Be(0, result.ToString());
        var keyPath = Path.Combine(_directory.Path, "keys", "app", "key.pem");
        (await Openssl.RunAsync("pkey", "-in", keyPath, "-passin", "pass:" + Secret, "-noout")).ExitCode.Should().Be(0);
        result.Output.Should().NotContain(Secret);
    }

    [Theory]
    [MemberData(nameof(ToolRunner.Ways), MemberType = typeof(ToolRunner))]
    public async Task Without_a_passphrase_source_and_no_terminal_it_refuses_in_one_line_and_writes_nothing(string way)
    {
        var result = await ToolRunner.For(way).RunAsync(_directory.Path, "new", "--subject", "CN=my-app");

        result.ExitCode.Should().Be(2, result.ToString());
        result.ErrorLines.Should().ContainSingle().Which.Should().Contain("--passphrase-file").And.Contain("--no-passphrase");
        Directory.GetFiles(_directory.Path).Should().BeEmpty();
    }

    [Theory]
    [InlineData("--key-size", "1024", "2048, 3072 or 4096")]
    [InlineData("--subject", "my app", "distinguished name")]
    [InlineData("--passphrase-env", "UNSET_VARIABLE_FOR_CERTCRED_TESTS", "not set")]
    public async Task Bad_values_are_usage_errors_in_one_line(string option, string value, string said)
    {
        string[] args = option == "--subject" ? ["new", option, value, "--no-passphrase"] : ["new", "--subject", "CN=x", option, value];
        if (option == "--key-size")
        {
            args = [.. args, "--no-passphrase"];
        }

        var result = await new InProcessTool().RunAsync(args, _directory.Path);

        result.ExitCode.Should().Be(2, result.ToString());
        result.ErrorLines.Should().ContainSingle().Which.Should().Contain(said);
        Directory.GetFiles(_directory.Path).Should().BeEmpty();
    }
}
