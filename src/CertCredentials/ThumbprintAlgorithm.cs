namespace CertCredentials;

/// <summary>The hash a certificate thumbprint is made with.</summary>
public enum ThumbprintAlgorithm
{
    /// <summary>SHA-256: sent as the <c>x5t#S256</c> header. What Microsoft recommends.</summary>
    Sha256 = 0,

    /// <summary>SHA-1: sent as the legacy <c>x5t</c> header. What the Azure portal shows as "Thumbprint".</summary>
    Sha1 = 1,
}
