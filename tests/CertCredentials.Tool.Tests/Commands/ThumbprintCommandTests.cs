using CertCredentials.Tool.Tests.Infrastructure;

namespace CertCredentials.Tool.Tests.Commands;

public sealed class ThumbprintCommandTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static Dictionary<string, string> Passphrase => new() { ["FIXTURE_PASSPHRASE"] = Fixtures.Passphrase };

    [Theory]
    [MemberData(nameof(ToolRunner.Ways), MemberType = typeof(ToolRunner))]
    public async Task Every_form_matches_what_openssl_computed_for_pem_der_pfx_and_bundles(string way)
    {
        var expected = Fixtures.Thumbprints("rsa2048");
        string[] files = ["rsa2048.crt.pem", "rsa2048.crt.der", "rsa2048.pfx", "rsa2048.legacy.pfx", "rsa2048.bundle.key-then-cert.pem", "rsa2048.pfx-all.pem"];

        var result = await ToolRunner.For(way).RunAsync(
            ["thumbprint", .. files.Select(Fixtures.Path), "--passphrase-env", "FIXTURE_PASSPHRASE", "--json"], _directory.Path, Passphrase);

        result.ExitCode.Should().Be(0, result.ToString());
        var certificates = result.Json.GetProperty("certificates").EnumerateArray().ToList();
        certificates.Should().HaveCount(files.Length);
        foreach (var certificate in certificates)
        {
            certificate.GetProperty("x5tS256").GetString().Should().Be(expected["sha256_b64url"]);
            certificate.GetProperty("x5t").GetString().Should().Be(expected["sha1_b64url"]);
            certificate.GetProperty("sha1").GetString().Should().Be(expected["sha1_hex"]);
            certificate.GetProperty("sha256").GetString().Should().Be(expected["sha256_hex"]);
            certificate.GetProperty("sha1Colons").GetString().Should().Be(expected["sha1_colons"]);
        }
    }

    [Theory]
    [MemberData(nameof(ToolRunner.Ways), MemberType = typeof(ToolRunner))]
    public async Task In_a_chain_bundle_the_leaf_is_picked_by_its_key_not_by_position(string way)
    {
        var leaf = Fixtures.Thumbprints("chain.leaf");

        var result = await ToolRunner.For(way).RunAsync(_directory.Path, "thumbprint", Fixtures.Path("chain.bundle.root-first.pem"), Fixtures.Path("chain.bundle.leaf-middle.pem"), "--json");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Json.GetProperty("certificates").EnumerateArray().Select(c => c.GetProperty("sha1").GetString())
            .Should().Equal(leaf["sha1_hex"], leaf["sha1_hex"]);
    }

    [Fact]
    public async Task Without_a_key_every_certificate_of_the_file_is_shown()
    {
        var result = await new InProcessTool().RunAsync(["thumbprint", Fixtures.Path("chain.certs.root-first.pem"), "--json"], _directory.Path);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Json.GetProperty("certificates").EnumerateArray().Select(c => c.GetProperty("subject").GetString())
            .Should().Equal("CN=CertCredentials Test Root CA", "CN=CertCredentials Test Intermediate CA", "CN=CertCredentials Test chain leaf");
    }

    [Theory]
    [MemberData(nameof(ToolRunner.Ways), MemberType = typeof(ToolRunner))]
    public async Task A_certificate_made_by_new_has_the_fingerprints_openssl_gives(string way)
    {
        var tool = ToolRunner.For(way);
        (await tool.RunAsync(_directory.Path, "new", "--subject", "CN=fingerprinted", "--no-passphrase")).ExitCode.Should().Be(0);

        var result = await tool.RunAsync(_directory.Path, "thumbprint", "cert.pem");

        result.ExitCode.Should().Be(0, result.ToString());
        var sha1 = await Openssl.RunAsync("x509", "-in", _directory.File("cert.pem"), "-noout", "-fingerprint", "-sha1");
        var sha256 = await Openssl.RunAsync("x509", "-in", _directory.File("cert.pem"), "-noout", "-fingerprint", "-sha256");
        var sha1Colons = sha1.Output.Trim()[(sha1.Output.IndexOf('=', StringComparison.Ordinal) + 1)..];
        var sha256Hex = sha256.Output.Trim()[(sha256.Output.IndexOf('=', StringComparison.Ordinal) + 1)..].Replace(":", string.Empty, StringComparison.Ordinal);
        result.Output.Should().Contain(sha1Colons).And.Contain(sha1Colons.Replace(":", string.Empty, StringComparison.Ordinal)).And.Contain(sha256Hex)
            .And.Contain(Convert.ToBase64String(Convert.FromHexString(sha256Hex)).TrimEnd('=').Replace('+', '-').Replace('/', '_'));
    }

    [Theory]
    [MemberData(nameof(ToolRunner.Ways), MemberType = typeof(ToolRunner))]
    public async Task A_key_alone_a_missing_file_and_a_key_of_another_certificate_are_refused_in_one_line(string way)
    {
        var tool = ToolRunner.For(way);
        File.WriteAllText(_directory.File("mismatch.pem"), File.ReadAllText(Fixtures.Path("other.crt.pem")) + File.ReadAllText(Fixtures.Path("rsa2048.pkcs8.pem")));

        var keyOnly = await tool.RunAsync(_directory.Path, "thumbprint", Fixtures.Path("rsa2048.pkcs8.pem"));
        var missing = await tool.RunAsync(_directory.Path, "thumbprint", "no-such.pem");
        var mismatch = await tool.RunAsync(_directory.Path, "thumbprint", "mismatch.pem");
        var noPassword = await tool.RunAsync(_directory.Path, "thumbprint", Fixtures.Path("rsa2048.pfx"));

        foreach (var (result, said) in new[] { (keyOnly, "no certificate"), (missing, "does not exist"), (mismatch, "KeyCertificateMismatch"), (noPassword, "--passphrase-env") })
        {
            result.ExitCode.Should().Be(4, result.ToString());
            result.ErrorLines.Should().ContainSingle().Which.Should().StartWith("certcred: ").And.Contain(said);
            result.Output.Should().BeEmpty();
        }
    }
}
