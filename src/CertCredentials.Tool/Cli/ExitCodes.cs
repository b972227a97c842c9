namespace CertCredentials.Tool.Cli;

/// <summary>
/// The exit codes of <c>certcred</c>, documented in the README. Stable: scripts branch on them.
/// </summary>
internal static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Success = 0;

    /// <summary>Something unexpected failed (a defect of the tool); <c>--verbose</c> shows where.</summary>
    public const int Unexpected = 1;

    /// <summary>The command line is wrong: an unknown option, a missing or bad value, a passphrase source that gives none.</summary>
    public const int Usage = 2;

    /// <summary>The configuration is missing or invalid (tenant, client ID, scope, endpoint, timings, binding).</summary>
    public const int Configuration = 3;

    /// <summary>A key, certificate or thumbprint problem: unreadable, encrypted without passphrase, mismatched, too small.</summary>
    public const int Key = 4;

    /// <summary>The token endpoint refused the request (an AADSTS error such as 700027).</summary>
    public const int Refused = 5;

    /// <summary>The token endpoint could not be reached, kept failing transiently, or answered with no usable token response.</summary>
    public const int Unreachable = 6;

    /// <summary>A file to write exists (and <c>--force</c> was not given) or cannot be written.</summary>
    public const int Output = 7;

    /// <summary><c>emulate</c> cannot listen on the port asked for.</summary>
    public const int Listen = 8;

    /// <summary>Interrupted (Ctrl+C) before it finished.</summary>
    public const int Interrupted = 130;

    /// <summary>The exit code of a library failure.</summary>
    public static int For(CertificateCredentialFailure failure) => failure switch
    {
        CertificateCredentialFailure.InvalidOptions => Configuration,
        CertificateCredentialFailure.TokenRequestRejected => Refused,
        CertificateCredentialFailure.TokenEndpointUnavailable or CertificateCredentialFailure.InvalidTokenResponse => Unreachable,
        CertificateCredentialFailure.Disposed => Unexpected,
        _ => Key,
    };
}
