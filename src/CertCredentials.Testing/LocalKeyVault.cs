using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.RegularExpressions;
using CertCredentials.Testing.Hosting;
using CertCredentials.Testing.KeyVault;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CertCredentials.Testing;

/// <summary>
/// A local Azure Key Vault on Kestrel at 127.0.0.1 over HTTPS, for tests of code that reads certificates from Key
/// Vault or signs with its keys, with the real Azure SDK clients (set <c>DisableChallengeResourceVerification</c>:
/// the vault's host is not under <c>vault.azure.net</c>). It implements the data-plane subset certificate clients use:
/// <list type="bullet">
/// <item><c>GET /certificates/{name}[/{version}]</c> (with the policy), <c>GET /certificates/{name}/versions</c>,
/// <c>GET /certificates/{name}/policy</c>;</item>
/// <item><c>GET /secrets/{name}[/{version}]</c> (a certificate's key and chain as PKCS#12 or PEM, or a plain secret);</item>
/// <item><c>GET /keys/{name}[/{version}]</c> and <c>POST /keys/{name}[/{version}]/sign</c> (RS256/384/512, PS256/384/512
/// on RSA keys; ES256/384/512 on EC keys).</item>
/// </list>
/// Key Vault's challenge authentication: a request without a bearer token gets 401 with
/// <c>WWW-Authenticate: Bearer authorization="{token service}/{tenant}", resource="https://vault.azure.net"</c>; tokens
/// of the given <see cref="LocalTokenService"/> for that resource are accepted, and each application gets the
/// permissions <see cref="Grant"/> gives it (none by default: 403). Versions, disabled versions, expired and not yet
/// valid keys (signing refused) and non-exportable keys (the secret holds the certificate only) behave as in Key
/// Vault, with its error bodies. All members are thread-safe.
/// </summary>
public sealed partial class LocalKeyVault : IAsyncDisposable
{
    /// <summary>The resource (audience) of Azure Key Vault's public cloud.</summary>
    public const string DefaultResource = "https://vault.azure.net";

    /// <summary>The content type of a certificate's secret holding base64 PKCS#12 (no password).</summary>
    public const string Pkcs12ContentType = "application/x-pkcs12";

    /// <summary>The content type of a certificate's secret holding PEM (PKCS#8 key, then the certificate).</summary>
    public const string PemContentType = "application/x-pem-file";

    private readonly LocalTokenService _tokenService;
    private readonly LocalKeyVaultOptions _options;
    private readonly TimeProvider _clock;
    private readonly WebApplication _app;
    private readonly VaultStore _store = new();
    private readonly BoundedLog<RecordedVaultRequest> _requests;
    private readonly Dictionary<string, KeyVaultPermissions> _permissions = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _permissionsLock = new();
    private readonly JsonWebTokenHandler _tokenHandler = new();
    private readonly TokenValidationParameters _validation;
    private readonly X509Certificate2 _httpsCertificate;
    private string _challenge = string.Empty;
    private int _signCount;
    private int _disposed;

    private LocalKeyVault(LocalTokenService tokenService, string tenant, LocalKeyVaultOptions options)
    {
        _tokenService = tokenService;
        _options = options;
        _clock = options.TimeProvider ?? tokenService.TimeProvider;
        Tenant = tenant;
        Resource = options.Resource;
        _requests = new BoundedLog<RecordedVaultRequest>(options.MaxRecordedRequests);
        _validation = tokenService.CreateValidationParameters(tenant, options.Resource);
        _httpsCertificate = options.HttpsCertificate ?? LoopbackHttpsCertificate.Get();
        _app = LoopbackHost.Create(options.Port, _httpsCertificate);
        _app.Run(HandleAsync);
    }

    /// <summary>The vault's URI, e.g. <c>https://127.0.0.1:54321/</c>: give it to the Key Vault clients.</summary>
    public Uri VaultUri { get; private set; } = null!;

    /// <summary>The tenant named in the challenge; the vault accepts tokens of this tenant only.</summary>
    public string Tenant { get; }

    /// <summary>The resource (audience) the vault accepts and names in its challenge.</summary>
    public string Resource { get; }

    /// <summary>The certificate the vault serves HTTPS with (trust it, or use <see cref="CreateHttpMessageHandler"/>).</summary>
    public X509Certificate2 HttpsCertificate => _httpsCertificate;

    /// <summary>Successful sign operations since the start.</summary>
    public int SignCount => Volatile.Read(ref _signCount);

    /// <summary>A snapshot of the recorded requests, oldest first.</summary>
    public IReadOnlyList<RecordedVaultRequest> Requests => _requests.Snapshot();

    /// <summary>Starts a vault on 127.0.0.1 that accepts the tokens <paramref name="tokenService"/> issues in <paramref name="tenantId"/>.</summary>
    /// <param name="tokenService">The token service whose tokens the vault accepts (key, issuer).</param>
    /// <param name="tenantId">The vault's tenant.</param>
    /// <param name="options">Settings; defaults when null.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The started vault; dispose it to stop it.</returns>
    public static async Task<LocalKeyVault> StartAsync(
        LocalTokenService tokenService,
        string tenantId,
        LocalKeyVaultOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tokenService);
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        options ??= new LocalKeyVaultOptions();
        ArgumentException.ThrowIfNullOrEmpty(options.Resource, nameof(options));
        var vault = new LocalKeyVault(tokenService, tenantId, options);
        try
        {
            await vault._app.StartAsync(cancellationToken).ConfigureAwait(false);
            var address = LoopbackHost.GetBaseAddress(vault._app);
            vault.VaultUri = new Uri($"https://127.0.0.1:{address.Port}/");
            vault._challenge =
                $"Bearer authorization=\"{tokenService.GetAuthority()}/{tenantId}\", resource=\"{options.Resource}\"";
            return vault;
        }
        catch
        {
            await vault.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// A handler that trusts this vault's HTTPS certificate and no other: for Azure SDK clients,
    /// <c>Transport = new HttpClientTransport(vault.CreateHttpMessageHandler())</c>. The caller disposes it.
    /// </summary>
    public HttpMessageHandler CreateHttpMessageHandler() => LoopbackHttpsCertificate.CreateTrustingHandler(_httpsCertificate);

    /// <summary>Sets what an application (its client ID, the tokens' <c>appid</c>) may do; replaces what it had.</summary>
    public void Grant(string clientId, KeyVaultPermissions permissions)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        lock (_permissionsLock)
        {
            _permissions[clientId] = permissions;
        }
    }

    /// <summary>
    /// Adds a new version of a certificate (the first makes the certificate): its key, certificate, secret and policy,
    /// as importing a PFX into Key Vault does. The vault keeps its own copy of the key.
    /// </summary>
    /// <param name="name">The certificate's name (1-127 letters, digits and dashes).</param>
    /// <param name="certificate">The certificate with its private key (RSA or EC).</param>
    /// <param name="options">How it is stored; defaults when null.</param>
    /// <returns>The new version's identifiers.</returns>
    public KeyVaultCertificateVersion ImportCertificate(string name, X509Certificate2 certificate, KeyVaultCertificateOptions? options = null)
    {
        CheckName(name);
        ArgumentNullException.ThrowIfNull(certificate);
        if (!certificate.HasPrivateKey)
        {
            throw new ArgumentException("The certificate has no private key: Key Vault imports a certificate with its key.", nameof(certificate));
        }

        options ??= new KeyVaultCertificateOptions();
        if (options.ContentType is not (Pkcs12ContentType or PemContentType))
        {
            throw new ArgumentException($"The content type is '{options.ContentType}'; use {Pkcs12ContentType} or {PemContentType}.", nameof(options));
        }

        var version = Guid.NewGuid().ToString("N");
        var copy = X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
        var identifiers = new KeyVaultCertificateVersion(
            name,
            version,
            new Uri(VaultUri, $"certificates/{name}/{version}"),
            new Uri(VaultUri, $"keys/{name}/{version}"),
            new Uri(VaultUri, $"secrets/{name}/{version}"),
            X509CertificateLoader.LoadCertificate(certificate.RawData));
        var tags = new Dictionary<string, string>(options.Tags, StringComparer.Ordinal);
        _store.Add(new VaultCertificate(identifiers, copy, options.Exportable, options.SecretWithoutKey, options.ContentType, options.Enabled, tags, _clock.GetUtcNow()));
        return identifiers;
    }

    /// <summary>
    /// Makes a self-signed RSA certificate and adds it as a new version, as Key Vault's "create certificate" with the
    /// <c>Self</c> issuer does. Its validity is [<paramref name="notBefore"/>, <paramref name="notAfter"/>]
    /// (default: from a day ago to a year on, on the vault's clock); the version's <c>nbf</c>/<c>exp</c> follow it.
    /// </summary>
    public KeyVaultCertificateVersion CreateCertificate(
        string name,
        string subject = "CN=local-key-vault",
        KeyVaultCertificateOptions? options = null,
        DateTimeOffset? notBefore = null,
        DateTimeOffset? notAfter = null,
        int keySize = 2048)
    {
        CheckName(name);
        ArgumentException.ThrowIfNullOrEmpty(subject);
        var now = _clock.GetUtcNow();
        using var rsa = RSA.Create(keySize);
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: false));
        using var created = request.CreateSelfSigned(notBefore ?? now.AddDays(-1), notAfter ?? now.AddYears(1));
        return ImportCertificate(name, created, options);
    }

    /// <summary>Enables or disables one version (its certificate, key and secret together).</summary>
    public void SetEnabled(string name, string version, bool enabled)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(version);
        var found = _store.FindCertificate(name, version)
            ?? throw new ArgumentException($"The vault has no version '{version}' of a certificate '{name}'.", nameof(version));
        found.Enabled = enabled;
    }

    /// <summary>The versions of a certificate, oldest first (empty when there is none).</summary>
    public IReadOnlyList<KeyVaultCertificateVersion> GetCertificateVersions(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return [.. _store.CertificateVersions(name).Select(v => v.Identifiers)];
    }

    /// <summary>Adds a version of a plain secret (not a certificate's).</summary>
    /// <returns>The new version's identifier, <c>{vault}/secrets/{name}/{version}</c>.</returns>
    public Uri SetSecret(string name, string value, string? contentType = null, bool enabled = true)
    {
        CheckName(name);
        ArgumentNullException.ThrowIfNull(value);
        var version = Guid.NewGuid().ToString("N");
        var id = new Uri(VaultUri, $"secrets/{name}/{version}");
        _store.Add(new VaultSecret(name, version, id, value, contentType, enabled, _clock.GetUtcNow()));
        return id;
    }

    /// <summary>Forgets the recorded requests (<see cref="SignCount"/> is kept).</summary>
    public void ClearRequests() => _requests.Clear();

    /// <summary>Stops the vault.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await LoopbackHost.StopAsync(_app).ConfigureAwait(false);
        _store.Dispose();
    }

    [GeneratedRegex("^[0-9a-zA-Z-]{1,127}$")]
    private static partial Regex NamePattern();

    private static void CheckName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!NamePattern().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a Key Vault object name: 1-127 letters, digits and dashes.", nameof(name));
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var receivedAt = _clock.GetUtcNow();
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        string? clientId = null;
        VaultAnswer answer;
        try
        {
            var caller = await AuthenticateAsync(request).ConfigureAwait(false);
            if (caller.Error is not null)
            {
                context.Response.Headers.WWWAuthenticate = _challenge;
                answer = VaultAnswer.Of(caller.Error);
            }
            else
            {
                clientId = caller.ClientId;
                answer = string.IsNullOrEmpty(request.Query["api-version"])
                    ? VaultAnswer.Of(VaultError.MissingApiVersion())
                    : await RouteAsync(context, caller, receivedAt).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            _requests.Add(new RecordedVaultRequest(receivedAt, request.Method, path, clientId, 499, null));
            context.Abort();
            return;
        }

        _requests.Add(new RecordedVaultRequest(receivedAt, request.Method, path, clientId, answer.StatusCode, answer.Error?.RecordedCode));
        var response = context.Response;
        response.StatusCode = answer.StatusCode;
        response.ContentType = VaultJson.ContentType;
        response.Headers["x-ms-request-id"] = Guid.NewGuid().ToString();
        response.Headers["x-ms-keyvault-service-version"] = "1.9.0.0";
        response.ContentLength = answer.Body.Length;
        await response.Body.WriteAsync(answer.Body, context.RequestAborted).ConfigureAwait(false);
    }

    private async Task<VaultCaller> AuthenticateAsync(HttpRequest request)
    {
        const string Scheme = "Bearer ";
        var authorization = request.Headers.Authorization.ToString();
        if (!authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return new VaultCaller(null, null, VaultError.MissingToken());
        }

        var raw = authorization[Scheme.Length..].Trim();
        var result = await _tokenHandler.ValidateTokenAsync(raw, _validation).ConfigureAwait(false);
        if (!result.IsValid)
        {
            var found = TryRead(raw);
            var error = result.Exception switch
            {
                SecurityTokenInvalidAudienceException => VaultError.InvalidAudience(Resource, found?.Audiences.FirstOrDefault()),
                SecurityTokenInvalidIssuerException => VaultError.InvalidIssuer(string.Join(", ", _validation.ValidIssuers), found?.Issuer),
                SecurityTokenInvalidLifetimeException or SecurityTokenExpiredException => VaultError.InvalidToken("the token is expired or not yet valid."),
                _ => VaultError.InvalidToken($"{result.Exception?.GetType().Name ?? "validation failed"}."),
            };
            return new VaultCaller(null, null, error);
        }

        var jwt = (JsonWebToken)result.SecurityToken;
        var appId = jwt.TryGetPayloadValue<string>("appid", out var a) ? a : string.Empty;
        var objectId = jwt.TryGetPayloadValue<string>("oid", out var o) ? o : string.Empty;
        return new VaultCaller(appId, $"appid={appId};oid={objectId};iss={jwt.Issuer}", null);
    }

    private static JsonWebToken? TryRead(string raw)
    {
        try
        {
            return new JsonWebToken(raw);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private async Task<VaultAnswer> RouteAsync(HttpContext context, VaultCaller caller, DateTimeOffset now)
    {
        var method = context.Request.Method;
        var segments = (context.Request.Path.Value ?? string.Empty).Trim('/').Split('/');
        var collection = segments[0].ToLowerInvariant();
        var name = segments.Length > 1 ? segments[1] : string.Empty;
        var isGet = HttpMethods.IsGet(method);
        switch (collection)
        {
            case "certificates" when isGet && segments.Length == 3 && segments[2].Equals("versions", StringComparison.OrdinalIgnoreCase):
                return Authorize(caller, KeyVaultPermissions.CertificatesList) ?? ListVersions(name);
            case "certificates" when isGet && segments.Length == 3 && segments[2].Equals("policy", StringComparison.OrdinalIgnoreCase):
                return Authorize(caller, KeyVaultPermissions.CertificatesGet) ?? GetPolicy(name);
            case "certificates" when isGet && segments.Length is 2 or 3:
                return Authorize(caller, KeyVaultPermissions.CertificatesGet) ?? GetCertificate(name, segments.Length == 3 ? segments[2] : null);
            case "secrets" when isGet && segments.Length is 2 or 3:
                return Authorize(caller, KeyVaultPermissions.SecretsGet) ?? GetSecret(name, segments.Length == 3 ? segments[2] : null);
            case "keys" when HttpMethods.IsPost(method) && segments.Length is 3 or 4 && segments[^1].Equals("sign", StringComparison.OrdinalIgnoreCase):
                return Authorize(caller, KeyVaultPermissions.KeysSign)
                    ?? await SignAsync(context.Request, name, segments.Length == 4 ? segments[2] : null, now).ConfigureAwait(false);
            case "keys" when isGet && segments.Length is 2 or 3:
                return Authorize(caller, KeyVaultPermissions.KeysGet) ?? GetKey(name, segments.Length == 3 ? segments[2] : null);
            default:
                return VaultAnswer.Of(VaultError.BadParameter($"The operation {method} {context.Request.Path} is not one this local vault implements."));
        }
    }

    private VaultAnswer? Authorize(VaultCaller caller, KeyVaultPermissions needed)
    {
        KeyVaultPermissions granted;
        lock (_permissionsLock)
        {
            granted = _permissions.GetValueOrDefault(caller.ClientId!);
        }

        if ((granted & needed) == needed)
        {
            return null;
        }

        var vaultName = $"local-{VaultUri.Port}";
        var (permission, action) = needed switch
        {
            KeyVaultPermissions.SecretsGet => ("secrets get", "Microsoft.KeyVault/vaults/secrets/getSecret/action"),
            KeyVaultPermissions.CertificatesGet => ("certificates get", "Microsoft.KeyVault/vaults/certificates/read"),
            KeyVaultPermissions.CertificatesList => ("certificates list", "Microsoft.KeyVault/vaults/certificates/read"),
            KeyVaultPermissions.KeysGet => ("keys get", "Microsoft.KeyVault/vaults/keys/read"),
            _ => ("keys sign", "Microsoft.KeyVault/vaults/keys/sign/action"),
        };
        return VaultAnswer.Of(_options.PermissionModel == KeyVaultPermissionModel.Rbac
            ? VaultError.RbacDenied(caller.Description!, action, vaultName)
            : VaultError.AccessPolicyDenied(caller.Description!, permission, vaultName));
    }

    private VaultAnswer GetCertificate(string name, string? version)
    {
        var found = _store.FindCertificate(name, version);
        return found is null
            ? VaultAnswer.Of(VaultError.NotFound("certificate", string.IsNullOrEmpty(version) ? name : $"{name}/{version}"))
            : VaultAnswer.Ok(VaultJson.Certificate(found, VaultUri));
    }

    private VaultAnswer GetPolicy(string name)
    {
        var found = _store.FindCertificate(name, null);
        return found is null ? VaultAnswer.Of(VaultError.NotFound("certificate", name)) : VaultAnswer.Ok(VaultJson.Policy(found, VaultUri));
    }

    private VaultAnswer ListVersions(string name)
    {
        // Key Vault lists the versions of a name it does not know as an empty page.
        return VaultAnswer.Ok(VaultJson.Versions(_store.CertificateVersions(name)));
    }

    private VaultAnswer GetSecret(string name, string? version)
    {
        var id = string.IsNullOrEmpty(version) ? name : $"{name}/{version}";
        if (_store.ContainsCertificate(name))
        {
            var certificate = _store.FindCertificate(name, version);
            return certificate switch
            {
                null => VaultAnswer.Of(VaultError.NotFound("secret", id)),
                { Enabled: false } => VaultAnswer.Of(VaultError.Disabled("get", "secret")),
                _ => VaultAnswer.Ok(VaultJson.CertificateSecret(certificate)),
            };
        }

        var secret = _store.FindSecret(name, version);
        return secret switch
        {
            null => VaultAnswer.Of(VaultError.NotFound("secret", id)),
            { Enabled: false } => VaultAnswer.Of(VaultError.Disabled("get", "secret")),
            _ => VaultAnswer.Ok(VaultJson.Secret(secret)),
        };
    }

    private VaultAnswer GetKey(string name, string? version)
    {
        var found = _store.FindCertificate(name, version);
        return found switch
        {
            null => VaultAnswer.Of(VaultError.NotFound("key", string.IsNullOrEmpty(version) ? name : $"{name}/{version}")),
            { Enabled: false } => VaultAnswer.Of(VaultError.Disabled("get", "key")),
            _ => VaultAnswer.Ok(VaultJson.Key(found)),
        };
    }

    private async Task<VaultAnswer> SignAsync(HttpRequest request, string name, string? version, DateTimeOffset now)
    {
        var found = _store.FindCertificate(name, version);
        if (found is null)
        {
            return VaultAnswer.Of(VaultError.NotFound("key", string.IsNullOrEmpty(version) ? name : $"{name}/{version}"));
        }

        if (!found.Enabled)
        {
            return VaultAnswer.Of(VaultError.Disabled("sign", "key"));
        }

        if (now < found.NotBefore)
        {
            return VaultAnswer.Of(VaultError.KeyNotYetValid("sign"));
        }

        if (now >= found.ExpiresOn)
        {
            return VaultAnswer.Of(VaultError.KeyExpired("sign"));
        }

        string? algorithm;
        byte[] digest;
        try
        {
            using var body = await JsonDocument.ParseAsync(request.Body, default, request.HttpContext.RequestAborted).ConfigureAwait(false);
            algorithm = body.RootElement.TryGetProperty("alg", out var alg) ? alg.GetString() : null;
            var value = body.RootElement.TryGetProperty("value", out var v) ? v.GetString() : null;
            if (string.IsNullOrEmpty(algorithm) || value is null)
            {
                return VaultAnswer.Of(VaultError.BadParameter("The request body needs 'alg' and 'value'."));
            }

            digest = Base64UrlEncoder.DecodeBytes(value);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            return VaultAnswer.Of(VaultError.BadParameter("The request body is not a JSON object with 'alg' and a base64url 'value'."));
        }

        var signature = VaultSigner.Sign(found, algorithm, digest, out var refusal);
        if (signature is null)
        {
            return VaultAnswer.Of(refusal!);
        }

        Interlocked.Increment(ref _signCount);
        return VaultAnswer.Ok(VaultJson.SignResult(found.Identifiers.KeyId, signature));
    }
}
