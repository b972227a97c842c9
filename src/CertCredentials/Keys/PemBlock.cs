namespace CertCredentials.Keys;

/// <summary>One <c>-----BEGIN label-----</c> block, with its RFC 1421 headers (legacy encryption) and decoded DER.</summary>
internal sealed record PemBlock(string Label, string? ProcType, string? DekInfo, byte[] Der)
{
    public bool IsLegacyEncrypted => ProcType is not null && ProcType.Contains("ENCRYPTED", StringComparison.OrdinalIgnoreCase);

    /// <summary>Names the block without its contents: safe in messages.</summary>
    public override string ToString() => $"PEM block '{Label}' ({Der.Length} bytes)";
}
