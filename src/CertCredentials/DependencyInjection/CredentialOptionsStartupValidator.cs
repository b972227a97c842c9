using CertCredentials.Configuration;
using Microsoft.Extensions.Options;

namespace CertCredentials.DependencyInjection;

/// <summary>
/// Validates the options of every registered credential at start: all option problems at once, then the key and
/// certificate, by building the credential itself. Once it is built, a change of the options (IOptionsMonitor) is not
/// refused here: the running credential applies it (<see cref="CertificateClientCredential.Reconfigure"/>), keeping its
/// key when the new one does not load, and reports what it could not apply.
/// </summary>
internal sealed class CredentialOptionsStartupValidator : IValidateOptions<CertificateClientCredentialOptions>
{
    private readonly CredentialRegistry _registry;

    public CredentialOptionsStartupValidator(CredentialRegistry registry)
    {
        _registry = registry;
    }

    public ValidateOptionsResult Validate(string? name, CertificateClientCredentialOptions options)
    {
        name ??= Options.DefaultName;
        if (!_registry.IsRegistered(name))
        {
            return ValidateOptionsResult.Skip;
        }

        if (_registry.IsBuilt(name))
        {
            // A change of the options: the running credential applies it or reports why not. Failing here would throw
            // inside the configuration's change callback and the change would be lost without a word.
            return ValidateOptionsResult.Success;
        }

        var problems = CredentialOptionsValidator.Validate(options);
        if (problems.Count > 0)
        {
            // The key does not depend on the other options: report its problem in the same breath.
            if (options.CertificateSource is null)
            {
                try
                {
                    using var check = Keys.KeyMaterialLoader.Load(options);
                }
                catch (CertificateCredentialException e)
                {
                    problems = [.. problems, e.Message];
                }
            }

            // One failure, one problem per line: OptionsValidationException joins several failures with "; ".
            return ValidateOptionsResult.Fail(Prefix(name) + CredentialOptionsValidator.Describe(problems));
        }

        try
        {
            _registry.GetOrCreate(name, options);
            return ValidateOptionsResult.Success;
        }
        catch (CertificateCredentialException e)
        {
            return ValidateOptionsResult.Fail(Prefix(name) + WithContentRoot(e, options).Message);
        }
    }

    /// <summary>
    /// The credential reads its files through its own copy of the key options, which does not know that relative
    /// paths were resolved against the content root; a missing file is read once more from the options themselves,
    /// whose message names that base.
    /// </summary>
    private static CertificateCredentialException WithContentRoot(CertificateCredentialException e, CertificateClientCredentialOptions options)
    {
        if (e.Failure != CertificateCredentialFailure.FileUnreadable || options.ContentRoot is null || options.CertificateSource is not null)
        {
            return e;
        }

        try
        {
            using var again = Keys.KeyMaterialLoader.Load(options);
            return e;
        }
        catch (CertificateCredentialException named) when (named.Failure == CertificateCredentialFailure.FileUnreadable)
        {
            return named;
        }
    }

    private static string Prefix(string name) => name.Length == 0 ? string.Empty : $"Credential '{name}': ";
}
