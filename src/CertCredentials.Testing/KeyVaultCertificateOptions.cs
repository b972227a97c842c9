namespace CertCredentials.Testing;

/// <summary>How a certificate version is stored in a <see cref="LocalKeyVault"/>.</summary>
public sealed class KeyVaultCertificateOptions
{
    /// <summary>
    /// The policy's <c>key_props.exportable</c>. When false the secret holds the certificate only, and the key is
    /// usable only through <c>POST {kid}/sign</c>, as with a non-exportable or HSM key. Default true.
    /// </summary>
    public bool Exportable { get; set; } = true;

    /// <summary>
    /// When true, the secret holds the certificate alone although the policy makes the key exportable: a secret
    /// without a key, for testing how a client handles one (the key can still sign through <c>POST {kid}/sign</c>).
    /// Default false.
    /// </summary>
    public bool SecretWithoutKey { get; set; }

    /// <summary>
    /// The secret's content type: <see cref="LocalKeyVault.Pkcs12ContentType"/> (default: base64 PKCS#12, no password)
    /// or <see cref="LocalKeyVault.PemContentType"/> (the PKCS#8 key, then the certificate chain).
    /// </summary>
    public string ContentType { get; set; } = LocalKeyVault.Pkcs12ContentType;

    /// <summary>Whether the version (certificate, secret and key alike) is enabled. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Tags of the version.</summary>
    public IDictionary<string, string> Tags { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
