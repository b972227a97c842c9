using System.Net;
using System.Net.Sockets;
using CertCredentials.Tool.Tests.Infrastructure;

namespace CertCredentials.Tool.Tests.Commands;

public sealed class EmulateCommandTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData(Signals.Terminate)]
    [InlineData(Signals.Interrupt)]
    public async Task A_signal_stops_it_cleanly_and_its_port_closes(string signal)
    {
        await MakeCertificateAsync();
        await using var emulator = await EmulatorProcess.StartAsync(_directory.Path, _directory.File("cert.pem"));
        var endpoint = emulator.TokenEndpoint;
        var check = await new ToolProcess().RunAsync(["check", "--config", emulator.SettingsPath], _directory.Path);
        check.ExitCode.Should().Be(0, check.ToString());

        var exitCode = await emulator.StopWithAsync(signal);

        exitCode.Should().Be(0, emulator.Error);
        emulator.Output.Should().Contain("Stopped after 1 token request.");
        emulator.Error.Should().BeEmpty();
        using var client = new TcpClient();
        var connect = async () => await client.ConnectAsync(IPAddress.Loopback, endpoint.Port);
        await connect.Should().ThrowAsync<SocketException>();
    }

    [Fact]
    public async Task In_process_it_serves_check_until_cancelled()
    {
        await MakeCertificateAsync();
        var settings = _directory.File("emulator.json");
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var written = new StringWriter();
        var output = TextWriter.Synchronized(written);
        string Written()
        {
            // The synchronised writer locks on itself: read under the same lock.
            lock (output)
            {
                return written.ToString();
            }
        }

        var emulate = InProcessTool.RunAsync(["emulate", "--port", "0", "--write-appsettings", settings], _directory.Path, null, stop.Token, output);
        try
        {
            while (!File.Exists(settings) && !emulate.IsCompleted)
            {
                await Task.Delay(50);
            }

            var check = await new InProcessTool().RunAsync(["check", "--config", settings], _directory.Path);
            check.ExitCode.Should().Be(0, check.ToString());
            Written().Should().Contain("/contoso.onmicrosoft.com/oauth2/v2.0/token").And.Contain("\"PrivateKeyPath\": \"" + _directory.File("key.pem"));
        }
        finally
        {
            await stop.CancelAsync();
        }

        var result = await emulate;
        result.ExitCode.Should().Be(0, result.ToString());
        Written().Should().Contain("Stopped after 1 token request.");
    }

    [Theory]
    [MemberData(nameof(ToolRunner.Ways), MemberType = typeof(ToolRunner))]
    public async Task A_port_in_use_exits_with_8_and_a_missing_certificate_with_4(string way)
    {
        await MakeCertificateAsync();
        using var occupied = new TcpListener(IPAddress.Loopback, 0);
        occupied.Start();
        var port = ((IPEndPoint)occupied.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var tool = ToolRunner.For(way);

        var busy = await tool.RunAsync(_directory.Path, "emulate", "--port", port);
        var noCertificate = await tool.RunAsync(_directory.Path, "emulate", "--port", "0", "--certificate", "missing.pem");

        busy.ExitCode.Should().Be(8, busy.ToString());
        busy.ErrorLines.Should().ContainSingle().Which.Should().Contain(port).And.Contain("--port");
        noCertificate.ExitCode.Should().Be(4, noCertificate.ToString());
        noCertificate.ErrorLines.Should().ContainSingle().Which.Should().Contain("missing.pem");
    }

    private async Task MakeCertificateAsync()
    {
        var made = await new InProcessTool().RunAsync(["new", "--subject", "CN=emulated", "--no-passphrase"], _directory.Path);
        made.ExitCode.Should().Be(0, made.ToString());
    }
}
