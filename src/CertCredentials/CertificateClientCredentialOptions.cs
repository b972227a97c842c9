using System.Text;
using CertCredentials.Configuration;

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

    /// <summary>
    /// Where the key and certificate come from when not from the options above: Azure Key Vault, an HSM, your own
    /// store. Set it instead of PrivateKey/PrivateKeyPath/Certificate/CertificatePath/CertificateThumbprint (not beside
    /// them). It is asked at start and every <see cref="CertificateReloadInterval"/>. Set in code (not bound from configuration).
    /// </summary>
    public CertificateSource? CertificateSource { get; set; }

    /// <summary>
    /// How often the key and certificate are checked for a change (default 1 minute): files named by PrivateKeyPath and
    /// CertificatePath are read again (and watched, where the file system tells of changes), a
    /// <see cref="CertificateSource"/> is asked again. A changed certificate replaces the old one without a restart.
    /// <see cref="TimeSpan.Zero"/>: never re-read by the credential itself (no watching, no check, no reload when Entra
    /// refuses the certificate). From 1 second to 1 day otherwise.
    /// </summary>
    public TimeSpan CertificateReloadInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The Entra authority host: <see cref="AuthorityHosts.AzurePublicCloud"/> by default; see <see cref="AuthorityHosts"/>
    /// for US Government, China and External ID (<c>https://{subdomain}.ciamlogin.com</c>).
    /// </summary>
    public Uri AuthorityHost { get; set; } = AuthorityHosts.AzurePublicCloud;

    /// <summary>
    /// An explicit token endpoint, overriding <see cref="AuthorityHost"/> and <see cref="TenantId"/> in the URL (other
    /// clouds, a local emulator). The assertion's <c>aud</c> is then exactly this URL.
    /// </summary>
    public Uri? TokenEndpoint { get; set; }

    /// <summary><c>RS256</c> (default, accepted by every tenant) or <c>PS256</c>.</summary>
    public string SigningAlgorithm { get; set; } = SigningAlgorithms.RS256;

    /// <summary>Adds the certificate chain as the <c>x5c</c> header (needed for subject-name/issuer registration).</summary>
    public bool SendCertificateChain { get; set; }

    /// <summary>
    /// A token counts as expired this long before its real expiry (default 5 minutes, as MSAL), so a request never
    /// leaves with a token about to lapse. At most a quarter of a token's lifetime, so short-lived tokens still get a
    /// background refresh window.
    /// </summary>
    public TimeSpan ExpirationMargin { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// When the server sends no <c>refresh_in</c>, a background refresh starts after this fraction of the token's
    /// lifetime (default 0.5), while callers keep getting the still-valid token.
    /// </summary>
    public double RefreshRatio { get; set; } = 0.5;

    /// <summary>Retries of a transient failure (408, 429, 5xx, connection errors, timeouts); default 3.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first retry delay; later ones grow exponentially, with jitter (default 1 second).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between attempts, including one asked for by <c>Retry-After</c> (default 60 seconds).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The time limit of one token request attempt (default 30 seconds).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Declares the <c>cp1</c> client capability, so resources such as Microsoft Graph send continuous access
    /// evaluation (CAE) claims challenges instead of silently honouring a revoked token until it expires.
    /// </summary>
    public bool EnableContinuousAccessEvaluation { get; set; }

    /// <summary>
    /// Shares tokens with the other instances of this app (e.g. <c>CertCredentials.StackExchangeRedis</c>): one token
    /// request per tenant and scope for the whole fleet. Entries are encrypted with a key only holders of this
    /// certificate can derive. Set in code (not bound from configuration); under dependency injection, a registered
    /// <see cref="CertCredentials.SharedTokenStore"/> serves every credential of the container unless this is set.
    /// </summary>
    public SharedTokenStore? SharedTokenStore { get; set; }

    /// <summary>
    /// The content root relative key and certificate paths were resolved against, under the generic host; named in the
    /// missing-file message. Not bound from configuration.
    /// </summary>
    internal string? ContentRoot { get; set; }

    /// <summary>
    /// Describes the options without the key or the passphrase. A value that looks like a key or another secret pasted
    /// into the wrong option (PEM or base64 in a path, a passphrase in TenantId) is described, never shown.
    /// </summary>
    public override string ToString()
    {
        var text = new StringBuilder("CertificateClientCredentialOptions { ");
        text.Append("TenantId = ").Append(OptionText.Show(TenantId, OptionKind.Tenant))
            .Append(", ClientId = ").Append(OptionText.Show(ClientId, OptionKind.ClientId))
            .Append(", Scope = ").Append(OptionText.Show(Scope, OptionKind.Scope))
            .Append(", PrivateKey = ").Append(PrivateKey is null ? "(not set)" : "(set, hidden)")
            .Append(", PrivateKeyPath = ").Append(OptionText.Show(PrivateKeyPath, OptionKind.Path))
            .Append(", PrivateKeyPassphrase = ").Append(PrivateKeyPassphrase is null ? "(not set)" : "(set, hidden)")
            .Append(", Certificate = ").Append(Certificate is null ? "(not set)" : "(set)")
            .Append(", CertificatePath = ").Append(OptionText.Show(CertificatePath, OptionKind.Path))
            .Append(", CertificateThumbprint = ").Append(OptionText.Show(CertificateThumbprint, OptionKind.Thumbprint))
            .Append(", CertificateSource = ").Append(CertificateSource is null ? "(not set)" : CertificateSource.GetType().Name)
            .Append(", CertificateReloadInterval = ").Append(CertificateReloadInterval)
            .Append(", AuthorityHost = ").Append(OptionText.Show(AuthorityHost))
            .Append(", TokenEndpoint = ").Append(TokenEndpoint is null ? "(from AuthorityHost and TenantId)" : OptionText.Show(TokenEndpoint))
            .Append(", SigningAlgorithm = ").Append(OptionText.Show(SigningAlgorithm, OptionKind.Algorithm))
            .Append(", SharedTokenStore = ").Append(SharedTokenStore is null ? "(none)" : SharedTokenStore.GetType().Name)
            .Append(" }");
        return text.ToString();
    }
}
