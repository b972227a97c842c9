namespace CertCredentials.Tool.Tests.Infrastructure;

/// <summary>
/// An encrypted key and certificate made by <c>certcred new</c>, and <c>certcred emulate</c> running as a real process
/// with that certificate registered; shared by the tests of one class, stopped (killed if need be) after them.
/// </summary>
public sealed class EmulatorFixture : IAsyncLifetime
{
    public const string Passphrase = "emulated-app-passphrase";

    private EmulatorProcess? _emulator;

    public TempDirectory Directory { get; } = new();

    public EmulatorProcess Emulator => _emulator ?? throw new InvalidOperationException("Not started.");

    /// <summary>What an application's environment holds beside the file: the key's passphrase.</summary>
    public static Dictionary<string, string> Environment(params (string Name, string Value)[] more)
    {
        var environment = new Dictionary<string, string> { ["CertCredentials__PrivateKeyPassphrase"] = Passphrase };
        foreach (var (name, value) in more)
        {
            environment[name] = value;
        }

        return environment;
    }

    public async Task InitializeAsync()
    {
        var made = await new InProcessTool().RunAsync(["new", "--subject", "CN=emulated-app", "--passphrase-env", "P"], Directory.Path,
                                                       new Dictionary<string, string> { ["P"] = Passphrase });
        if (made.ExitCode != 0)
        {
            throw new InvalidOperationException(made.ToString());
        }

        _emulator = await EmulatorProcess.StartAsync(Directory.Path, Directory.File("cert.pem"), "--resource", "https://graph.microsoft.com", "--resource", "api://orders",
                                                     "--role", "Orders.Read.All", "--role", "Orders.Write");
    }

    public async Task DisposeAsync()
    {
        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }

        Directory.Dispose();
    }
}
