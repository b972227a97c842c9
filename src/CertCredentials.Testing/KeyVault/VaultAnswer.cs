namespace CertCredentials.Testing.KeyVault;

/// <summary>What the vault answers to one request.</summary>
internal sealed record VaultAnswer(int StatusCode, byte[] Body, VaultError? Error)
{
    public static VaultAnswer Ok(byte[] body) => new(200, body, null);

    public static VaultAnswer Of(VaultError error) => new(error.StatusCode, VaultJson.Error(error), error);
}
