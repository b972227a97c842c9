namespace CertCredentials.DependencyInjection;

/// <summary>A registration that uses a credential by name (an HttpClient's handler), checked at start by <see cref="CredentialReferenceValidator"/>.</summary>
/// <param name="Name">The credential's name; empty for the default one.</param>
/// <param name="User">What uses it, for the message: <c>the HttpClient 'graph' (AddCertificateClientCredentialHandler)</c>.</param>
internal sealed record CredentialReference(string Name, string User);
