namespace CertCredentials.Azure.DependencyInjection;

/// <summary>
/// Stands for a "KeyVault" configuration section that cannot make a source (no vault credential, a missing or bad
/// value): its load fails with the fix, so the host stops at start, and a running credential keeps its certificate
/// and reports the failure after a configuration change.
/// </summary>
internal sealed class UnusableKeyVaultSettings : CertificateSource
{
    private readonly string _problem;

    public UnusableKeyVaultSettings(string problem) => _problem = problem;

    public override ValueTask<ClientCertificate> LoadAsync(CancellationToken cancellationToken) =>
        ValueTask.FromException<ClientCertificate>(new CertificateCredentialException(CertificateCredentialFailure.InvalidOptions, _problem));

    public override string ToString() => $"UnusableKeyVaultSettings {{ {_problem} }}";
}
