using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Core;
using CertCredentials.Azure.Diagnostics;
using CertCredentials.Azure.KeyVault;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertCredentials.Azure;

/// <summary>
/// A certificate in Azure Key Vault as the credential's <see cref="CertificateClientCredentialOptions.CertificateSource"/>:
/// each load reads the certificate's newest enabled, valid version; a new version (a renewal, an import) reaches the
/// running credential at its next <see cref="CertificateClientCredentialOptions.CertificateReloadInterval"/> check,
/// without a restart. An exportable key is read from the certificate's secret (PKCS#12 or PEM, key with chain); a key
/// the policy makes non-exportable (or a secret without a key) stays in the vault, which signs each assertion
/// (<see cref="KeyVaultKeySigner"/>).
/// </summary>
/// <remarks>
/// Requests per load: one <c>GET /certificates/{name}</c>, plus, for a new version, one <c>GET</c> of its secret (none
/// when the key is not exportable); a disabled or not-yet-valid newest version costs a listing of the versions.
/// Permissions of the vault credential: <c>certificates get</c> and <c>secrets get</c> (RBAC: Key Vault Certificate
/// User, or Key Vault Secrets User for the secret), <c>keys sign</c> for a non-exportable key (Key Vault Crypto User),
/// <c>certificates list</c> to fall back past a disabled version. Failures are
/// <see cref="CertificateCredentialException"/>s that say the fix: at start they fail the credential (and the host);
/// on a reload the certificate in use keeps serving. Use one source per credential: the credential owns and disposes
/// what it returns. Thread-safe.
/// </remarks>
public sealed class KeyVaultCertificateSource : CertificateSource
{
    private readonly KeyVaultRestClient _client;
    private readonly bool _allowSigningInVault;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly string _vault;
    private readonly Lock _gate = new();
    private Loaded? _last;

    /// <summary>A source for the certificate <paramref name="certificateName"/> in the vault <paramref name="vaultUri"/>.</summary>
    /// <param name="vaultUri">The vault, <c>https://{name}.vault.azure.net/</c>.</param>
    /// <param name="certificateName">The certificate's name in the vault.</param>
    /// <param name="vaultCredential">
    /// The vault's own credential, typically a <c>ManagedIdentityCredential</c>: it cannot be the credential this source
    /// serves (that one needs the certificate first).
    /// </param>
    /// <param name="options">Transport, retries, signing in the vault, clock and logging; defaults when null.</param>
    /// <exception cref="ArgumentException">The URI is not an absolute https URI, or the name is not a Key Vault object name.</exception>
    public KeyVaultCertificateSource(Uri vaultUri, string certificateName, TokenCredential vaultCredential, KeyVaultCertificateSourceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(vaultUri);
        ArgumentException.ThrowIfNullOrEmpty(certificateName);
        ArgumentNullException.ThrowIfNull(vaultCredential);
        if (!vaultUri.IsAbsoluteUri || vaultUri.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"'{vaultUri}' is not a Key Vault URI: give https://<name>.vault.azure.net/.", nameof(vaultUri));
        }

        if (certificateName.Length > 127 || !certificateName.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            throw new ArgumentException($"'{certificateName}' is not a Key Vault certificate name: 1-127 letters, digits and dashes.", nameof(certificateName));
        }

        options ??= new KeyVaultCertificateSourceOptions();
        VaultUri = new Uri(vaultUri.GetLeftPart(UriPartial.Authority) + "/");
        CertificateName = certificateName;
        _vault = VaultUri.GetLeftPart(UriPartial.Authority);
        _allowSigningInVault = options.AllowSigningInVault;
        _time = options.TimeProvider ?? TimeProvider.System;
        _log = options.LoggerFactory?.CreateLogger("CertCredentials.Azure") ?? NullLogger.Instance;
        _client = new KeyVaultRestClient(VaultUri, vaultCredential, options, verifyChallengeResource: !options.DisableChallengeResourceVerification);
    }

    /// <summary>The vault's URI.</summary>
    public Uri VaultUri { get; }

    /// <summary>The certificate's name in the vault.</summary>
    public string CertificateName { get; }

    /// <summary>
    /// The certificate's newest enabled, valid version, with its key (read from its secret) or with a
    /// <see cref="KeyVaultKeySigner"/> for its key in the vault. While the version is the one returned last (and still
    /// in use), that same instance is returned without reading the secret again.
    /// </summary>
    /// <exception cref="CertificateCredentialException">
    /// The vault is unreachable or refuses (the message names the missing permission or RBAC role), the certificate or
    /// version is missing, disabled, expired or not yet valid, its key is not RSA, or its secret holds no key and
    /// signing in the vault is off.
    /// </exception>
    public override async ValueTask<ClientCertificate> LoadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var latest = await _client.GetCertificateAsync(CertificateName, null, cancellationToken).ConfigureAwait(false);
            var bundle = await UsableVersionAsync(latest, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                // A ClientCertificate the credential disposed (replaced, or refused at its check) is not handed out again:
                // a disposed certificate's handle is zero.
                if (_last is { } last && last.Version == bundle.Version && last.Certificate.Certificate is { Handle: var handle } && handle != IntPtr.Zero)
                {
                    KeyVaultLog.VersionUnchanged(_log, CertificateName, _vault, bundle.Version);
                    return last.Certificate;
                }
            }

            var (certificate, holder) = await BuildAsync(bundle, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                _last = new Loaded(bundle.Version, certificate);
            }

            KeyVaultLog.VersionRead(_log, CertificateName, bundle.Version, _vault, certificate.Thumbprint.ToString(), holder);
            return certificate;
        }
        catch (KeyVaultRequestException e)
        {
            throw new CertificateCredentialException(CertificateCredentialFailure.CertificateSourceFailed, e.Message, e);
        }
    }

    /// <summary>The vault and certificate name (no secret).</summary>
    public override string ToString() => $"KeyVaultCertificateSource {{ Vault = {_vault}, Certificate = {CertificateName} }}";

    private static string State(bool enabled, DateTimeOffset? notBefore, DateTimeOffset? expiresOn, DateTimeOffset now) =>
        !enabled ? "disabled"
        : notBefore > now ? $"not valid before {notBefore:yyyy-MM-dd HH:mm}Z"
        : expiresOn <= now ? $"expired since {expiresOn:yyyy-MM-dd HH:mm}Z"
        : "usable";

    /// <summary>The newest version when it is enabled and valid now; else the newest one that is, when there is one.</summary>
    private async Task<KeyVaultCertificateBundle> UsableVersionAsync(KeyVaultCertificateBundle latest, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var state = State(latest.Enabled, latest.NotBefore, latest.ExpiresOn, now);
        if (state == "usable")
        {
            return latest;
        }

        IReadOnlyList<KeyVaultCertificateVersionInfo> versions;
        try
        {
            versions = await _client.GetVersionsAsync(CertificateName, cancellationToken).ConfigureAwait(false);
        }
        catch (KeyVaultRequestException e)
        {
            throw new KeyVaultRequestException(e.Kind, e.Status, e.ErrorCode,
                $"The newest version {latest.Version} of certificate '{CertificateName}' in Key Vault {_vault} is {state}, and looking for an older usable version failed: {e.Message}", e);
        }

        var fallback = versions
            .Where(v => v.Version != latest.Version && State(v.Enabled, v.NotBefore, v.ExpiresOn, now) == "usable")
            .OrderByDescending(v => v.Created ?? DateTimeOffset.MinValue)
            .FirstOrDefault();
        if (fallback is null)
        {
            throw new KeyVaultRequestException(KeyVaultFailureKind.NotUsable, 200, null, latest.Enabled && latest.ExpiresOn <= now
                ? $"The certificate '{CertificateName}' in Key Vault {_vault} expired: its newest version {latest.Version} is {state}, and no version is valid now. "
                  + "Renew it in the vault (a new version; an auto-renew lifetime action in its policy does that before expiry), then upload the new certificate to the app registration."
                : $"The newest version {latest.Version} of certificate '{CertificateName}' in Key Vault {_vault} is {state}, and no other version is enabled and valid now. "
                  + (latest.Enabled ? "Check this machine's clock, or wait until that version is valid." : "Enable that version, or create a new version."));
        }

        KeyVaultLog.OlderVersionUsed(_log, CertificateName, _vault, latest.Version, state, fallback.Version);
        return await _client.GetCertificateAsync(CertificateName, fallback.Version, cancellationToken).ConfigureAwait(false);
    }

    private async Task<(ClientCertificate Certificate, string Holder)> BuildAsync(KeyVaultCertificateBundle bundle, CancellationToken cancellationToken)
    {
        using var certificate = ReadCer(bundle);
        if (bundle.Exportable != false)
        {
            var secret = await _client.GetSecretAsync(bundle.SecretId, CertificateName, cancellationToken).ConfigureAwait(false);
            var fromSecret = FromSecret(secret, bundle.Version);
            if (fromSecret is not null)
            {
                if (!fromSecret.Thumbprint.Equals(CertificateThumbprint.Compute(certificate, ThumbprintAlgorithm.Sha256)))
                {
                    fromSecret.Dispose();
                    throw new CertificateCredentialException(CertificateCredentialFailure.KeyCertificateMismatch,
                        $"The secret of version {bundle.Version} of certificate '{CertificateName}' in Key Vault {_vault} holds another certificate than the version itself. "
                        + "Import the certificate again as one PFX (key and certificate together).");
                }

                return (fromSecret, $"its key was read from the certificate's secret ({secret.ContentType ?? "no content type"})");
            }
        }

        // The policy may say exportable while the secret holds the certificate alone: the key is then in the vault only.
        var why = bundle.Exportable != false
            ? $"the secret of version {bundle.Version} of certificate '{CertificateName}' in Key Vault {_vault} holds the certificate without its key, though its policy makes the key exportable"
            : $"the key of version {bundle.Version} of certificate '{CertificateName}' in Key Vault {_vault} is not exportable (its policy says so)";
        if (!_allowSigningInVault)
        {
            throw new CertificateCredentialException(CertificateCredentialFailure.CertificateWithoutPrivateKey,
                $"{char.ToUpperInvariant(why[0])}{why[1..]}, and signing in the vault is off (AllowSigningInVault). "
                + "Allow signing in the vault (the vault credential then needs 'keys sign', RBAC role Key Vault Crypto User), or "
                + (bundle.Exportable != false ? "import the certificate again as a PFX with its key." : "make a version with an exportable key."));
        }

        var signer = new KeyVaultKeySigner(_client, bundle.KeyId,
            bundle.Exportable != false
                ? $"the secret of certificate '{CertificateName}' holds no key, so the vault signs each client assertion with its key"
                : $"the key of certificate '{CertificateName}' is not exportable, so the vault signs each client assertion with it");
        return (ClientCertificate.FromSigner(certificate, signer), $"its key stays in the vault, which signs each client assertion ({bundle.KeyId})");
    }

    private X509Certificate2 ReadCer(KeyVaultCertificateBundle bundle)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadCertificate(bundle.Cer);
        }
        catch (CryptographicException e)
        {
            throw new CertificateCredentialException(CertificateCredentialFailure.CertificateUnreadable,
                $"Key Vault {_vault} answered version {bundle.Version} of certificate '{CertificateName}' with a certificate (cer) that does not parse.", e);
        }

        if (certificate.PublicKey.Oid.Value != "1.2.840.113549.1.1.1")
        {
            var type = certificate.PublicKey.Oid.FriendlyName ?? certificate.PublicKey.Oid.Value;
            certificate.Dispose();
            throw new CertificateCredentialException(CertificateCredentialFailure.PrivateKeyNotRsa,
                $"The key of certificate '{CertificateName}' (version {bundle.Version}) in Key Vault {_vault} is {type}, and Entra client assertions need an RSA key. "
                + "Create a new version whose policy has key type RSA (2048 bits or more).");
        }

        return certificate;
    }

    /// <summary>The key and chain in the secret, or null when it holds the certificate only.</summary>
    private ClientCertificate? FromSecret(KeyVaultSecretValue secret, string version)
    {
        try
        {
            if (secret.ContentType == "application/x-pkcs12")
            {
                byte[] bytes;
                try
                {
                    bytes = Convert.FromBase64String(secret.Value);
                }
                catch (FormatException e)
                {
                    throw new CertificateCredentialException(CertificateCredentialFailure.PrivateKeyUnreadable,
                        $"The secret of version {version} of certificate '{CertificateName}' in Key Vault {_vault} says application/x-pkcs12 but is not base64. Import the certificate again.", e);
                }

                try
                {
                    return ClientCertificate.FromPkcs12(bytes);
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(bytes);
                }
            }

            // application/x-pem-file, or no content type: FromPem reads PEM and base64 PKCS#12 alike.
            return ClientCertificate.FromPem(secret.Value);
        }
        catch (CertificateCredentialException e) when (e.Failure is CertificateCredentialFailure.CertificateWithoutPrivateKey or CertificateCredentialFailure.PrivateKeyMissing)
        {
            return null;
        }
        catch (CertificateCredentialException e) when (e.Failure is not CertificateCredentialFailure.KeyCertificateMismatch)
        {
            throw new CertificateCredentialException(e.Failure,
                $"The secret of version {version} of certificate '{CertificateName}' in Key Vault {_vault} ({secret.ContentType ?? "no content type"}) is unusable: {e.Message}", e);
        }
    }

    private sealed record Loaded(string Version, ClientCertificate Certificate);
}
