using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using CertCredentials.Tool.Tests.Infrastructure;

namespace CertCredentials.Tool.Tests.Commands;

public sealed partial class CheckCommandTests : IClassFixture<EmulatorFixture>
{
    private readonly EmulatorFixture _fixture;

    public CheckCommandTests(EmulatorFixture fixture)
    {
        _fixture = fixture;
    }

    private string Config => _fixture.Emulator.SettingsPath;

    [GeneratedRegex(@"eyJ[\w-]+\.[\w-]+\.[\w-]+")]
    private static partial Regex Jwt();

    [Theory]
    [MemberData(nameof(ToolRunner.Ways), MemberType = typeof(ToolRunner))]
    public async Task A_working_configuration_gets_a_token_and_shows_its_claims_but_not_the_token(string way)
    {
        var result = await ToolRunner.For(way).RunAsync(["check", "--config", Config, "--json"], _fixture.Directory.Path, EmulatorFixture.Environment());

        result.ExitCode.Should().Be(0, result.ToString());
        var token = result.Json.GetProperty("token");
        token.GetProperty("aud").GetString().Should().Be("https://graph.microsoft.com");
        token.GetProperty("tid").GetString().Should().Be("contoso.onmicrosoft.com");
        token.GetProperty("appid").GetString().Should().Be("11111111-2222-3333-4444-555555555555");
        token.GetProperty("iss").GetString().Should().Be(_fixture.Emulator.TokenEndpoint.GetLeftPart(UriPartial.Authority) + "/contoso.onmicrosoft.com/v2.0");
        token.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).Should().Equal("Orders.Read.All", "Orders.Write");
        DateTimeOffset.Parse(token.GetProperty("exp").GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            .Should().BeAfter(DateTimeOffset.UtcNow.AddMinutes(30));
        result.Json.GetProperty("credential").GetProperty("certificateSubject").GetString().Should().Be("CN=emulated-app");
        Jwt().IsMatch(result.Output).Should().BeFalse("check never prints the token");
        result.Output.Should().NotContain(EmulatorFixture.Passphrase);
        result.Error.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(ToolRunner.Ways), MemberType = typeof(ToolRunner))]
    public async Task Environment_variables_override_the_file_as_in_the_application(string way)
    {
        var result = await ToolRunner.For(way).RunAsync(["check", "--config", Config], _fixture.Directory.Path,
            EmulatorFixture.Environment(("CertCredentials__ClientId", "99999999-2222-3333-4444-555555555555")));

        result.ExitCode.Should().Be(5, result.ToString());
        result.RefusalLines.Should().ContainSingle().Which.Should().StartWith("certcred: TokenRequestRejected: AADSTS700016")
            .And.Contain("99999999-2222-3333-4444-555555555555");
        result.Error.Should().NotContain("   at ");
        result.Output.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(ToolRunner.Ways), MemberType = typeof(ToolRunner))]
    public async Task Configuration_problems_exit_with_3_one_line_each(string way)
    {
        var result = await ToolRunner.For(way).RunAsync(["check", "--config", Config], _fixture.Directory.Path,
            EmulatorFixture.Environment(("CertCredentials__Scope", "https://graph.microsoft.com"), ("CertCredentials__ClientId", "")));

        result.ExitCode.Should().Be(3, result.ToString());
        result.RefusalLines.Should().HaveCount(2).And.AllSatisfy(l => l.Should().StartWith("certcred: InvalidOptions: "));
        result.Error.Should().Contain("/.default").And.Contain("ClientId is empty");
    }

    [Theory]
    [MemberData(nameof(ToolRunner.Ways), MemberType = typeof(ToolRunner))]
    public async Task A_passphrase_set_into_an_option_of_another_type_exits_with_3_naming_the_option_not_the_value(string way)
    {
        const string Secret = "Misplaced-Passphrase-42!";
        var result = await ToolRunner.For(way).RunAsync(["check", "--config", Config], _fixture.Directory.Path,
            EmulatorFixture.Environment(("CertCredentials__MaxRetries", Secret)));

        result.ExitCode.Should().Be(3, result.ToString());
        result.RefusalLines.Should().ContainSingle().Which.Should().StartWith("certcred: InvalidOptions: ").And.Contain("CertCredentials:MaxRetries").And.Contain("a whole number");
        (result.Output + result.Error).Should().NotContain(Secret, "the binder's own message would quote the value");
    }

    [Theory]
    [MemberData(nameof(ToolRunner.Ways), MemberType = typeof(ToolRunner))]
    public async Task Key_problems_exit_with_4(string way)
    {
        var tool = ToolRunner.For(way);

        var noPassphrase = await tool.RunAsync(["check", "--config", Config], _fixture.Directory.Path, new Dictionary<string, string>());
        var missing = await tool.RunAsync(["check", "--config", Config], _fixture.Directory.Path,
            EmulatorFixture.Environment(("CertCredentials__PrivateKeyPath", _fixture.Directory.File("gone.pem"))));

        noPassphrase.ExitCode.Should().Be(4, noPassphrase.ToString());
        noPassphrase.RefusalLines.Should().ContainSingle().Which.Should().StartWith("certcred: PassphraseRequired: ");
        missing.ExitCode.Should().Be(4, missing.ToString());
        missing.RefusalLines.Should().ContainSingle().Which.Should().StartWith("certcred: FileUnreadable: ").And.Contain("gone.pem");
    }

    [Theory]
    [MemberData(nameof(ToolRunner.Ways), MemberType = typeof(ToolRunner))]
    public async Task An_endpoint_nobody_listens_on_exits_with_6(string way)
    {
        var closed = ClosedLoopbackPort();

        var result = await ToolRunner.For(way).RunAsync(["check", "--config", Config], _fixture.Directory.Path, EmulatorFixture.Environment(
            ("CertCredentials__TokenEndpoint", $"http://127.0.0.1:{closed}/contoso.onmicrosoft.com/oauth2/v2.0/token"),
            ("CertCredentials__MaxRetries", "0")));

        result.ExitCode.Should().Be(6, result.ToString());
        result.RefusalLines.Should().ContainSingle().Which.Should().StartWith("certcred: TokenEndpointUnavailable: ").And.Contain(closed.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [MemberData(nameof(ToolRunner.Ways), MemberType = typeof(ToolRunner))]
    public async Task A_missing_file_or_section_exits_with_3_and_verbose_adds_the_stack_trace(string way)
    {
        var tool = ToolRunner.For(way);

        var missingFile = await tool.RunAsync(["check", "--config", "nowhere.json"], _fixture.Directory.Path, EmulatorFixture.Environment());
        var missingSection = await tool.RunAsync(["check", "--config", Config, "--section", "Orders"], _fixture.Directory.Path, EmulatorFixture.Environment());
        var verbose = await tool.RunAsync(["check", "--config", "nowhere.json", "--verbose"], _fixture.Directory.Path, EmulatorFixture.Environment());

        missingFile.ExitCode.Should().Be(3, missingFile.ToString());
        missingFile.ErrorLines.Should().ContainSingle().Which.Should().Contain("nowhere.json").And.Contain("does not exist");
        missingSection.ExitCode.Should().Be(3, missingSection.ToString());
        missingSection.ErrorLines.Should().ContainSingle().Which.Should().Contain("'Orders'").And.Contain("Orders__TenantId");
        verbose.ExitCode.Should().Be(3);
        verbose.Error.Should().Contain("   at ").And.Contain(nameof(CertCredentials.Tool.Cli.ToolFailure));
    }

    [Fact]
    public async Task Without_config_it_reads_appsettings_json_of_the_current_directory()
    {
        using var directory = new TempDirectory();
        File.Copy(Config, directory.File("appsettings.json"));

        var result = await new InProcessTool().RunAsync(["check"], directory.Path, EmulatorFixture.Environment());

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain(directory.File("appsettings.json")).And.Contain("aud:");
    }

    private static int ClosedLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
