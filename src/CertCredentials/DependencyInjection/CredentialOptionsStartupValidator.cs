using CertCredentials.Configuration;
using Microsoft.Extensions.Options;

namespace CertCredentials.DependencyInjection;

/// <summary>
/// Validates the options of every registered credential: all option problems at once, then the key and certificate,
/// by building the credential itself (the key is then read once, at start, and kept).
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

        var problems = CredentialOptionsValidator.Validate(options);
        if (problems.Count > 0)
        {
            // The key does not depend on the other options: report its problem in the same breath.
            try
            {
                using var check = Keys.KeyMaterialLoader.Load(options);
            }
            catch (CertificateCredentialException e)
            {
                problems = [.. problems, e.Message];
            }

            return ValidateOptionsResult.Fail(problems.Select(p => Prefix(name) + p));
        }

        try
        {
            if (!_registry.IsBuilt(name))
            {
                _registry.GetOrCreate(name, options);
            }
            else
            {
                // A reload of the options: check them, but the running credential keeps its key.
                using var check = Keys.KeyMaterialLoader.Load(options);
            }

            return ValidateOptionsResult.Success;
        }
        catch (CertificateCredentialException e)
        {
            return ValidateOptionsResult.Fail(Prefix(name) + e.Message);
        }
    }

    private static string Prefix(string name) => name.Length == 0 ? string.Empty : $"Credential '{name}': ";
}
