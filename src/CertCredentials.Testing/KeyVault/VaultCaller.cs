namespace CertCredentials.Testing.KeyVault;

/// <summary>Who called the vault: the token's <c>appid</c> and how a 403 names the caller, or why the token was refused.</summary>
internal sealed record VaultCaller(string? ClientId, string? Description, VaultError? Error);
