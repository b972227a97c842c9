using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CertCredentials.DependencyInjection;

/// <summary>
/// Fails the host at start when a handler or a health check names a credential that is not registered (a typo such as
/// "orderz"), naming the registered ones; without it the mistake showed only at the first request through that
/// HttpClient, or as an unhealthy report.
/// </summary>
internal sealed class CredentialReferenceValidator : IValidateOptions<CredentialReferences>
{
    /// <summary>Records that <paramref name="reference"/> uses a credential, to be checked when the host starts.</summary>
    public static void Register(IServiceCollection services, CredentialReference reference)
    {
        services.AddSingleton(reference);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CredentialReferences>, CredentialReferenceValidator>());
        services.AddOptions<CredentialReferences>().ValidateOnStart();
    }

    private readonly HashSet<string> _registered;
    private readonly IReadOnlyList<CredentialReference> _references;

    public CredentialReferenceValidator(IEnumerable<CredentialRegistration> registrations, IEnumerable<CredentialReference> references)
    {
        _registered = registrations.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        _references = [.. references.Distinct()];
    }

    public ValidateOptionsResult Validate(string? name, CredentialReferences options)
    {
        var problems = _references.Where(r => !_registered.Contains(r.Name)).Select(Describe).ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private string Describe(CredentialReference reference)
    {
        var wanted = reference.Name.Length == 0 ? "the default certificate credential" : $"the certificate credential '{reference.Name}'";
        var registered = _registered.Count == 0
            ? "no certificate credential is registered at all"
            : "the registered ones are " + string.Join(", ", _registered.Order(StringComparer.Ordinal).Select(n => n.Length == 0 ? "the default one" : $"'{n}'"));
        var register = reference.Name.Length == 0 ? "AddCertificateClientCredential(...)" : $"AddCertificateClientCredential(\"{reference.Name}\", ...)";
        return $"{reference.User} uses {wanted}, which is not registered: {registered}. Use one of those names, or register it with services.{register}.";
    }
}
