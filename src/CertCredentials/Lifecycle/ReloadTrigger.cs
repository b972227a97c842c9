namespace CertCredentials.Lifecycle;

/// <summary>Why a check ran, as logged and tagged on <c>certcredentials.certificate.reloads</c>.</summary>
internal static class ReloadTrigger
{
    /// <summary>The periodic check, every CertificateReloadInterval.</summary>
    public const string Interval = "interval";

    /// <summary>The file system told of a change in a key or certificate file's directory.</summary>
    public const string File = "file";

    /// <summary>Entra refused the certificate in use.</summary>
    public const string Refusal = "refusal";

    /// <summary>The options changed (IOptionsMonitor).</summary>
    public const string Options = "options";
}
