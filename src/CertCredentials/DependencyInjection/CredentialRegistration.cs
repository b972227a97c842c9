namespace CertCredentials.DependencyInjection;

/// <summary>Marks that a credential of this name was registered (one per name, added with TryAddEnumerable semantics).</summary>
internal sealed record CredentialRegistration(string Name);
