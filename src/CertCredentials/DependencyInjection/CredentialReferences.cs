namespace CertCredentials.DependencyInjection;

/// <summary>
/// The options type whose validation at start checks every <see cref="CredentialReference"/>: it holds nothing, it is
/// what <c>ValidateOnStart</c> needs to run <see cref="CredentialReferenceValidator"/> when the host starts.
/// </summary>
internal sealed class CredentialReferences;
