namespace CertCredentials;

/// <summary>The signing algorithms of the client assertion.</summary>
public static class SigningAlgorithms
{
    /// <summary>RSASSA-PKCS1-v1_5 with SHA-256: accepted by every Entra tenant and every key provider. The default.</summary>
    public const string RS256 = "RS256";

    /// <summary>RSASSA-PSS with SHA-256: what current Microsoft documentation and MSAL.NET send.</summary>
    public const string PS256 = "PS256";
}
