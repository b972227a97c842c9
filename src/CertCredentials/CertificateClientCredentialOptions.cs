using System.Text;

namespace CertCredentials;

/// <summary>
/// The five things a user holds (tenant, client ID, scope, private key, certificate or thumbprint) and the few
/// settings around them. Bindable from configuration. <see cref="ToString"/> never shows the key or the passphrase.
/// </summary>
public sealed class CertificateClientCredentialOptions
{
    /// <summary>The directory (tenant) ID: a GUID, or a verified domain such as <c>contoso.onmicrosoft.com</c>.</summary>
    public string TenantId { get; set; } = string.Empty;

    /// <summary>The application (client) ID of the app registration: a GUID.</summary>
    public string ClientId { get; set; } = string.Empty;

    /// <summary>The scope to request, ending in <c>/.default</c>, e.g. <c>https://graph.microsoft.com/.default</c>.</summary>
    public string Scope { get; set; } = string.Empty;

    /// <summary>
    /// The private key as text: PEM in any form (PKCS#8, PKCS#1, encrypted, legacy OpenSSL encryption, a bundle with the
    /// certificate, with CRLF or literal <c>\n</c>), or base64 of a PKCS#12 file (what an Azure Key Vault secret holds).
    /// </summary>
    public string? PrivateKey { get; set; }

    /// <summary>A file holding the key: PEM or PKCS#12, recognised by content, not by extension.</summary>
    public string? PrivateKeyPath { get; set; }

    /// <summary>The passphrase of an encrypted key or the password of a PKCS#12 file.</summary>
    public string? PrivateKeyPassphrase { get; set; }

    /// <summary>The certificate as PEM text (optional when the key input already holds it or a thumbprint is given).</summary>
    public string? Certificate { get; set; }

    /// <summary>A file holding the certificate (PEM or DER), optional.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>
    /// The certificate's thumbprint in any common form (hex SHA-1 as the Azure portal shows it, hex SHA-256, base64url).
    /// Optional when a certificate is given; if both are given they must match.
    /// </summary>
    public string? CertificateThumbprint { get; set; }

    /// <summary>Describes the options without the key or the passphrase.</summary>
    public override string ToString()
    {
        var text = new StringBuilder("CertificateClientCredentialOptions { ");
        text.Append("TenantId = ").Append(TenantId)
            .Append(", ClientId = ").Append(ClientId)
            .Append(", Scope = ").Append(Scope)
            .Append(", PrivateKey = ").Append(PrivateKey is null ? "(not set)" : "(set, hidden)")
            .Append(", PrivateKeyPath = ").Append(PrivateKeyPath ?? "(not set)")
            .Append(", PrivateKeyPassphrase = ").Append(PrivateKeyPassphrase is null ? "(not set)" : "(set, hidden)")
            .Append(", Certificate = ").Append(Certificate is null ? "(not set)" : "(set)")
            .Append(", CertificatePath = ").Append(CertificatePath ?? "(not set)")
            .Append(", CertificateThumbprint = ").Append(CertificateThumbprint ?? "(not set)")
            .Append(" }");
        return text.ToString();
    }
}
