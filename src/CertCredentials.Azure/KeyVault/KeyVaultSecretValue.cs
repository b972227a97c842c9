namespace CertCredentials.Azure.KeyVault;

/// <summary>A secret's value and content type. <see cref="ToString"/> never shows the value.</summary>
internal sealed record KeyVaultSecretValue(string Value, string? ContentType)
{
    public override string ToString() => $"KeyVaultSecretValue {{ ContentType = {ContentType}, Value = (hidden, {Value.Length} characters) }}";
}
