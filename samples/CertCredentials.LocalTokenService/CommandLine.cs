using System.Runtime.InteropServices;
using System.Security.Cryptography.X509Certificates;
using CertCredentials.Testing;

namespace CertCredentials.Samples.TokenServiceHost;

/// <summary>
/// The command line of the runnable service:
/// <c>--tenant T --client-id ID --certificate cert.pem [--resource URI]... [--port 5080] [--https-pfx file.pfx [--https-password P]]</c>.
/// </summary>
internal static class CommandLine
{
    public const string Usage =
        "Usage: CertCredentials.LocalTokenService --tenant <tenant> --client-id <client id> --certificate <cert.pem|.cer|.der>\n" +
        "         [--resource <uri>]... (default https://graph.microsoft.com) [--port <port>] (default 5080)\n" +
        "         [--https-pfx <file.pfx> [--https-password <password>]]";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter errors)
    {
        if (args.Any(a => a is "-h" or "--help"))
        {
            // Asked for: not an error.
            await output.WriteLineAsync("Starts a local Entra-compatible token service on 127.0.0.1.");
            await output.WriteLineAsync(Usage);
            return 0;
        }

        if (!TryParse(args, out var settings, out var problem))
        {
            await errors.WriteLineAsync(problem);
            await errors.WriteLineAsync(Usage);
            return 2;
        }

        using var certificate = LoadCertificate(settings.CertificatePath);
        using var httpsCertificate = settings.HttpsPfxPath is null
            ? null
            : X509CertificateLoader.LoadPkcs12FromFile(settings.HttpsPfxPath, settings.HttpsPassword);
        await using var service = await LocalTokenService.StartAsync(new LocalTokenServiceOptions
        {
            Port = settings.Port,
            HttpsCertificate = httpsCertificate,
        });
        service.RegisterApplication(settings.Tenant, settings.ClientId, certificate, [.. settings.Resources]);

        await output.WriteLineAsync($"Token endpoint: {service.GetTokenEndpoint(settings.Tenant)}");
        await output.WriteLineAsync($"Issuer:         {service.GetIssuer(settings.Tenant)}");
        await output.WriteLineAsync($"Client ID:      {settings.ClientId}");
        await output.WriteLineAsync($"Resources:      {string.Join(", ", settings.Resources)}");
        await output.WriteLineAsync("Press Ctrl+C to stop.");

        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            stopped.TrySetResult();
        };
        Console.CancelKeyPress += onCancel;

        // SIGTERM (docker stop, systemd, kill) and SIGINT stop it as Ctrl+C does: cancelled, so that this method
        // returns, stops the service and exits 0, instead of the runtime's default shutdown.
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        try
        {
            await stopped.Task;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }

        await output.WriteLineAsync("Stopped.");
        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stopped.TrySetResult();
        }
    }

    /// <summary>Reads the command line; <paramref name="problem"/> says what is wrong when false.</summary>
    public static bool TryParse(string[] args, out Settings settings, out string problem)
    {
        settings = new Settings();
        problem = string.Empty;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help")
            {
                problem = "Starts a local Entra-compatible token service on 127.0.0.1.";
                return false;
            }

            if (i + 1 >= args.Length)
            {
                problem = $"Missing value for '{name}'.";
                return false;
            }

            var value = args[++i];
            switch (name)
            {
                case "--tenant":
                    settings.Tenant = value;
                    break;
                case "--client-id":
                    settings.ClientId = value;
                    break;
                case "--certificate":
                    settings.CertificatePath = value;
                    break;
                case "--resource":
                    settings.Resources.Add(value);
                    break;
                case "--port" when int.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var port) && port is >= 0 and <= 65535:
                    settings.Port = port;
                    break;
                case "--https-pfx":
                    settings.HttpsPfxPath = value;
                    break;
                case "--https-password":
                    settings.HttpsPassword = value;
                    break;
                default:
                    problem = $"Unknown option or bad value: '{name} {value}'.";
                    return false;
            }
        }

        if (settings.Tenant.Length == 0 || settings.ClientId.Length == 0 || settings.CertificatePath.Length == 0)
        {
            problem = "--tenant, --client-id and --certificate are required.";
            return false;
        }

        if (settings.Resources.Count == 0)
        {
            settings.Resources.Add("https://graph.microsoft.com");
        }

        return true;
    }

    /// <summary>Loads a certificate from PEM (the first CERTIFICATE block) or DER.</summary>
    public static X509Certificate2 LoadCertificate(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var text = System.Text.Encoding.ASCII.GetString(bytes);
        return text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)
            ? X509Certificate2.CreateFromPem(text)
            : X509CertificateLoader.LoadCertificate(bytes);
    }

    /// <summary>The parsed command line.</summary>
    internal sealed class Settings
    {
        public string Tenant { get; set; } = string.Empty;

        public string ClientId { get; set; } = string.Empty;

        public string CertificatePath { get; set; } = string.Empty;

        public List<string> Resources { get; } = [];

        public int Port { get; set; } = 5080;

        public string? HttpsPfxPath { get; set; }

        public string? HttpsPassword { get; set; }
    }
}
