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

            return ValidateOptionsResult.Fail(problems.Select(p => Prefix(name) + p));
        }

        try
        {
            _registry.GetOrCreate(name, options);
            return ValidateOptionsResult.Success;
        }
        catch (CertificateCredentialException e)
        {
            return ValidateOptionsResult.Fail(Prefix(name) + e.Message);
        }
    }

    private static string Prefix(string name) => name.Length == 0 ? string.Empty : $"Credential '{name}': ";
}
