namespace CertCredentials.Testing.KeyVault;

/// <summary>One version of a plain secret (not a certificate's).</summary>
internal sealed record VaultSecret(string Name, string Version, Uri Id, string Value, string? ContentType, bool Enabled, DateTimeOffset Created);
