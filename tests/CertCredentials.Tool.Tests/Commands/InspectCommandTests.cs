using CertCredentials.Tool.Tests.Infrastructure;

namespace CertCredentials.Tool.Tests.Commands;

public sealed class InspectCommandTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static Dictionary<string, string> Passphrase => new() { ["FIXTURE_PASSPHRASE"] = Fixtures.Passphrase };

    [Theory]
    [InlineData("rsa2048.pkcs8.aes256-sha256.pem", "encrypted PKCS#8 private key (PBES2, PBKDF2 with HMAC-SHA256, AES-256-CBC)")]
    [InlineData("rsa2048.pkcs8.aes128-sha1.pem", "encrypted PKCS#8 private key (PBES2, PBKDF2 with HMAC-SHA1, AES-128-CBC)")]
    [InlineData("rsa2048.pkcs8.pbe-sha1-3des.pem", "encrypted PKCS#8 private key (PBE SHA1/3DES (PKCS#12))")]
    [InlineData("rsa2048.legacy.aes256.pem", "OpenSSL legacy PEM encryption, AES-256-CBC")]
    [InlineData("rsa2048.legacy.des3.pem", "OpenSSL legacy PEM encryption, DES-EDE3-CBC")]
    [InlineData("rsa2048.legacy.pfx", "safe encrypted with PBE SHA1/RC2-40 (PKCS#12)")]
    [InlineData("rsa2048.pfx", "PBES2, PBKDF2 with HMAC-SHA256, AES-256-CBC")]
    public async Task An_encrypted_file_is_described_without_its_passphrase_and_asks_for_it(string fixture, string scheme)
    {
        var result = await new InProcessTool().RunAsync(["inspect", Fixtures.Path(fixture), "--json"], _directory.Path);

        result.ExitCode.Should().Be(0, result.ToString());
        var json = result.Json;
        json.GetProperty("file").GetProperty("items").EnumerateArray().Select(i => i.GetString()).Should().Contain(i => i!.Contains(scheme));
        json.GetProperty("privateKey").GetProperty("read").GetBoolean().Should().BeFalse();
        json.GetProperty("library").GetProperty("accepted").GetBoolean().Should().BeFalse();
        json.GetProperty("library").GetProperty("problem").GetString().Should().StartWith("PassphraseRequired");
        json.GetProperty("library").GetProperty("next").GetString().Should().Contain("--passphrase-file");
    }

    [Fact]
    public async Task Without_the_passphrase_the_certificates_beside_an_encrypted_key_are_still_shown()
    {
        File.WriteAllText(_directory.File("bundle.pem"), File.ReadAllText(Fixtures.Path("rsa2048.pkcs8.aes256-sha256.pem")) + File.ReadAllText(Fixtures.Path("rsa2048.crt.pem")));

        var result = await new InProcessTool().RunAsync(["inspect", "bundle.pem", "--json"], _directory.Path);

        result.ExitCode.Should().Be(0, result.ToString());
        var certificate = result.Json.GetProperty("certificates").EnumerateArray().Single();
        certificate.GetProperty("subject").GetString().Should().Be("CN=CertCredentials Test rsa2048");
        certificate.GetProperty("sha1").GetString().Should().Be(Fixtures.Thumbprints("rsa2048")["sha1_hex"]);
        certificate.TryGetProperty("matchesKey", out _).Should().BeFalse("the key could not be read to compare");
    }

    [Theory]
    [MemberData(nameof(ToolRunner.Ways), MemberType = typeof(ToolRunner))]
    public async Task With_the_passphrase_a_pfx_shows_its_key_size_certificate_and_that_they_belong_together(string way)
    {
        var result = await ToolRunner.For(way).RunAsync(["inspect", Fixtures.Path("rsa2048.legacy.pfx"), "--passphrase-env", "FIXTURE_PASSPHRASE", "--json"], _directory.Path, Passphrase);

        result.ExitCode.Should().Be(0, result.ToString());
        var json = result.Json;
        json.GetProperty("file").GetProperty("items").EnumerateArray().Select(i => i.GetString())
            .Should().Contain("DER PKCS#12 (.pfx/.p12), password-protected (MAC with SHA-1)")
            .And.Contain("encrypted PKCS#8 private key (PBE SHA1/3DES (PKCS#12))")
            .And.Contain("X.509 certificate");
        json.GetProperty("privateKey").GetProperty("algorithm").GetString().Should().Be("RSA-2048");
        var certificate = json.GetProperty("certificates").EnumerateArray().Single();
        certificate.GetProperty("subject").GetString().Should().Be("CN=CertCredentials Test rsa2048");
        certificate.GetProperty("selfSigned").GetBoolean().Should().BeTrue();
        certificate.GetProperty("matchesKey").GetBoolean().Should().BeTrue();
        certificate.GetProperty("sha1").GetString().Should().Be(Fixtures.Thumbprints("rsa2048")["sha1_hex"]);
        json.GetProperty("library").GetProperty("accepted").GetBoolean().Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(ToolRunner.Ways), MemberType = typeof(ToolRunner))]
    public async Task A_chain_bundle_shows_every_certificate_and_which_is_the_keys(string way)
    {
        var result = await ToolRunner.For(way).RunAsync(_directory.Path, "inspect", Fixtures.Path("chain.bundle.leaf-middle.pem"), "--json");

        result.ExitCode.Should().Be(0, result.ToString());
        var certificates = result.Json.GetProperty("certificates").EnumerateArray().ToList();
        certificates.Select(c => (c.GetProperty("subject").GetString(), c.GetProperty("matchesKey").GetBoolean())).Should().Equal(
            ("CN=CertCredentials Test Intermediate CA", false), ("CN=CertCredentials Test chain leaf", true), ("CN=CertCredentials Test Root CA", false));
        certificates[1].GetProperty("issuer").GetString().Should().Be("CN=CertCredentials Test Intermediate CA");
        result.Json.GetProperty("file").GetProperty("items").EnumerateArray().Select(i => i.GetString())
            .Should().Contain("PEM 'PRIVATE KEY': PKCS#8 private key, unencrypted, RSA");
    }

    [Fact]
    public async Task A_key_beside_another_certificate_is_shown_as_not_belonging_to_it()
    {
        File.WriteAllText(_directory.File("mismatch.pem"), File.ReadAllText(Fixtures.Path("rsa2048.pkcs8.pem")) + File.ReadAllText(Fixtures.Path("other.crt.pem")));

        var result = await new InProcessTool().RunAsync(["inspect", "mismatch.pem", "--json"], _directory.Path);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Json.GetProperty("certificates").EnumerateArray().Single().GetProperty("matchesKey").GetBoolean().Should().BeFalse();
        result.Json.GetProperty("library").GetProperty("accepted").GetBoolean().Should().BeFalse();
        result.Json.GetProperty("library").GetProperty("problem").GetString().Should().StartWith("KeyCertificateMismatch");
    }

    [Theory]
    [MemberData(nameof(ToolRunner.Ways), MemberType = typeof(ToolRunner))]
    public async Task A_key_made_by_new_is_described_and_its_material_never_printed(string way)
    {
        var tool = ToolRunner.For(way);
        var environment = new Dictionary<string, string> { ["KEY_PASSPHRASE"] = "inspect-me" };
        (await tool.RunAsync(["new", "--subject", "CN=inspected", "--passphrase-env", "KEY_PASSPHRASE"], _directory.Path, environment)).ExitCode.Should().Be(0);
        File.WriteAllText(_directory.File("bundle.pem"), File.ReadAllText(_directory.File("key.pem")) + File.ReadAllText(_directory.File("cert.pem")));

        var text = await tool.RunAsync(["inspect", "bundle.pem", "--passphrase-env", "KEY_PASSPHRASE"], _directory.Path, environment);

        text.ExitCode.Should().Be(0, text.ToString());
        text.Output.Should().Contain("encrypted PKCS#8 private key (PBES2, PBKDF2 with HMAC-SHA256, AES-256-CBC)")
            .And.Contain("RSA-2048").And.Contain("CN=inspected").And.Contain("belong together")
            .And.Contain("Mode:     0644").And.Contain("chmod 600", "the bundle the test wrote is readable by others, and the library warns of it");
        foreach (var line in File.ReadAllLines(_directory.File("key.pem")).Where(l => !l.StartsWith("-----", StringComparison.Ordinal)))
        {
            text.Output.Should().NotContain(line);
        }

        text.Output.Should().NotContain("inspect-me");
    }

    [Theory]
    [MemberData(nameof(ToolRunner.Ways), MemberType = typeof(ToolRunner))]
    public async Task A_wrong_passphrase_and_a_file_that_is_no_key_are_refused_in_one_line(string way)
    {
        var tool = ToolRunner.For(way);
        File.WriteAllText(_directory.File("notes.txt"), "hello, this is not a key\n");
        File.WriteAllText(_directory.File("wrong.txt"), "not the passphrase\n");

        var wrong = await tool.RunAsync(_directory.Path, "inspect", Fixtures.Path("rsa2048.pkcs8.aes256-sha256.pem"), "--passphrase-file", "wrong.txt");
        var notKey = await tool.RunAsync(_directory.Path, "inspect", "notes.txt");

        wrong.ExitCode.Should().Be(4, wrong.ToString());
        wrong.ErrorLines.Should().ContainSingle().Which.Should().Contain("PassphraseIncorrect").And.Contain("--passphrase-file");
        wrong.Error.Should().NotContain("not the passphrase");
        notKey.ExitCode.Should().Be(4, notKey.ToString());
        notKey.ErrorLines.Should().ContainSingle().Which.Should().Contain("neither PEM text");
    }
}
