using System.CommandLine;

namespace CertCredentials.Tool.Configuration;

/// <summary>Where <c>check</c> and <c>token</c> read the credential's configuration from.</summary>
internal sealed class ConfigurationOptions
{
    public const string DefaultFile = "appsettings.json";
    public const string DefaultSection = "CertCredentials";

    public Option<string?> File { get; } = new("--config")
    {
        Description = $"The JSON configuration file (default: {DefaultFile} in the current directory, if there is one); CertCredentials__* environment variables override it",
        HelpName = "FILE",
    };

    public Option<string> Section { get; } = new("--section")
    {
        Description = "The configuration section the credential is bound to, as AddCertificateClientCredential(configuration.GetSection(...)) does",
        DefaultValueFactory = _ => DefaultSection,
        HelpName = "NAME",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(File);
        command.Options.Add(Section);
    }
}
