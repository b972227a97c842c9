using System.Net;
using System.Net.Http.Headers;
using CertCredentials.Tool.Tests.Infrastructure;

namespace CertCredentials.Tool.Tests.Commands;

public sealed class TokenCommandTests : IClassFixture<EmulatorFixture>
{
    private readonly EmulatorFixture _fixture;

    public TokenCommandTests(EmulatorFixture fixture)
    {
        _fixture = fixture;
    }

    private string Config => _fixture.Emulator.SettingsPath;

    [Theory]
    [MemberData(nameof(ToolRunner.Ways), MemberType = typeof(ToolRunner))]
    public async Task The_token_alone_on_stdout_is_accepted_by_the_protected_api(string way)
    {
        var result = await ToolRunner.For(way).RunAsync(["token", "--config", Config], _fixture.Directory.Path, EmulatorFixture.Environment());

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().EndWith("\n");
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().ContainSingle();
        var token = lines[0];
        token.Split('.').Should().HaveCount(3);
        result.Error.Should().BeEmpty();

        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, ProtectedApi());
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Contain("11111111-2222-3333-4444-555555555555");
    }

    [Theory]
    [MemberData(nameof(ToolRunner.Ways), MemberType = typeof(ToolRunner))]
    public async Task Another_scope_of_the_app_is_asked_for_with_scope(string way)
    {
        var tool = ToolRunner.For(way);

        var orders = await tool.RunAsync(["token", "--config", Config, "--scope", "api://orders/.default", "--json"], _fixture.Directory.Path, EmulatorFixture.Environment());
        var unregistered = await tool.RunAsync(["token", "--config", Config, "--scope", "api://billing/.default"], _fixture.Directory.Path, EmulatorFixture.Environment());

        orders.ExitCode.Should().Be(0, orders.ToString());
        var accessToken = orders.Json.GetProperty("accessToken").GetString()!;
        System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(accessToken.Split('.')[1])).Should().Contain("\"aud\":\"api://orders\"");
        orders.Json.GetProperty("tokenType").GetString().Should().Be("Bearer");
        unregistered.ExitCode.Should().Be(5, unregistered.ToString());
        unregistered.RefusalLines.Should().ContainSingle().Which.Should().Contain("AADSTS500011");
        unregistered.Output.Should().BeEmpty("nothing but a token ever goes to stdout");
    }

    private Uri ProtectedApi()
    {
        var line = _fixture.Emulator.Output.Split('\n').Single(l => l.Contains("Protected API:", StringComparison.Ordinal));
        return new Uri(line[(line.IndexOf("http", StringComparison.Ordinal))..].Trim());
    }
}
