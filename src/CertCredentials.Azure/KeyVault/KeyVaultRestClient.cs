using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace CertCredentials.Azure.KeyVault;

/// <summary>
/// The few Key Vault REST calls a certificate source and a remote signer need, through Azure.Core's pipeline (retries,
/// the caller's transport, logging) with Key Vault's challenge authentication. Azure.Security.KeyVault.Keys does not
/// restore here, and the certificate and secret clients would bring two more packages for four GETs; each answer is
/// read as Key Vault's REST reference shapes it. Thread-safe.
/// </summary>
internal sealed class KeyVaultRestClient
{
    public const string ApiVersion = "7.5";

    private readonly HttpPipeline _pipeline;

    public KeyVaultRestClient(Uri vaultUri, TokenCredential credential, ClientOptions options, bool verifyChallengeResource)
    {
        VaultUri = vaultUri;
        _pipeline = HttpPipelineBuilder.Build(options, new KeyVaultChallengePolicy(credential, verifyChallengeResource));
    }

    public Uri VaultUri { get; }

    public async Task<KeyVaultCertificateBundle> GetCertificateAsync(string name, string? version, CancellationToken cancellationToken)
    {
        var path = version is null ? $"certificates/{Uri.EscapeDataString(name)}" : $"certificates/{Uri.EscapeDataString(name)}/{Uri.EscapeDataString(version)}";
        using var document = await SendAsync(RequestMethod.Get, new Uri(VaultUri, path), null, KeyVaultOperation.GetCertificate,
            version is null ? name : $"{name}/{version}", cancellationToken).ConfigureAwait(false);
        return ReadCertificate(document.RootElement, name);
    }

    public async Task<IReadOnlyList<KeyVaultCertificateVersionInfo>> GetVersionsAsync(string name, CancellationToken cancellationToken)
    {
        var versions = new List<KeyVaultCertificateVersionInfo>();
        Uri? next = new(VaultUri, $"certificates/{Uri.EscapeDataString(name)}/versions");
        for (var page = 0; next is not null && page < 100; page++)
        {
            using var document = await SendAsync(RequestMethod.Get, next, null, KeyVaultOperation.ListVersions, name, cancellationToken).ConfigureAwait(false);
            var root = document.RootElement;
            if (root.TryGetProperty("value", out var items) && items.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in items.EnumerateArray())
                {
                    var id = new Uri(item.GetProperty("id").GetString()!);
                    var (enabled, notBefore, expiresOn, created) = ReadAttributes(item);
                    versions.Add(new KeyVaultCertificateVersionInfo(id.Segments[^1].Trim('/'), enabled, notBefore, expiresOn, created));
                }
            }

            next = root.TryGetProperty("nextLink", out var link) && link.ValueKind == JsonValueKind.String && Uri.TryCreate(link.GetString(), UriKind.Absolute, out var u)
                ? u
                : null;
        }

        return versions;
    }

    public async Task<KeyVaultSecretValue> GetSecretAsync(Uri secretId, string objectName, CancellationToken cancellationToken)
    {
        using var document = await SendAsync(RequestMethod.Get, secretId, null, KeyVaultOperation.GetSecret, objectName, cancellationToken).ConfigureAwait(false);
        var root = document.RootElement;
        var value = root.TryGetProperty("value", out var v) ? v.GetString() : null;
        var contentType = root.TryGetProperty("contentType", out var c) ? c.GetString() : null;
        return value is null
            ? throw new KeyVaultRequestException(KeyVaultFailureKind.Unexpected, 200, null, $"Key Vault {VaultUri} answered the secret '{objectName}' without a value.")
            : new KeyVaultSecretValue(value, contentType);
    }

    /// <summary><c>POST {kid}/sign</c>: the vault signs <paramref name="digest"/> (a SHA-256 hash) with its key.</summary>
    public async Task<byte[]> SignAsync(Uri keyId, string algorithm, ReadOnlyMemory<byte> digest, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["alg"] = algorithm,
            ["value"] = Base64Url(digest.Span),
        });
        var objectName = string.Join(string.Empty, keyId.Segments.Skip(2)).Trim('/');
        using var document = await SendAsync(RequestMethod.Post, new Uri(keyId.AbsoluteUri.TrimEnd('/') + "/sign"), body, KeyVaultOperation.Sign, objectName, cancellationToken)
            .ConfigureAwait(false);
        var value = document.RootElement.TryGetProperty("value", out var v) ? v.GetString() : null;
        return value is null
            ? throw new KeyVaultRequestException(KeyVaultFailureKind.Unexpected, 200, null, $"Key Vault {VaultUri} answered the sign request of '{objectName}' without a signature.")
            : FromBase64Url(value);
    }

    private static KeyVaultCertificateBundle ReadCertificate(JsonElement root, string name)
    {
        try
        {
            var id = new Uri(root.GetProperty("id").GetString()!);
            var (enabled, notBefore, expiresOn, _) = ReadAttributes(root);
            bool? exportable = null;
            string? contentType = null;
            if (root.TryGetProperty("policy", out var policy) && policy.ValueKind == JsonValueKind.Object)
            {
                if (policy.TryGetProperty("key_props", out var key) && key.TryGetProperty("exportable", out var e) && e.ValueKind is JsonValueKind.True or JsonValueKind.False)
                {
                    exportable = e.GetBoolean();
                }

                if (policy.TryGetProperty("secret_props", out var secret) && secret.TryGetProperty("contentType", out var ct))
                {
                    contentType = ct.GetString();
                }
            }

            return new KeyVaultCertificateBundle(
                id,
                id.Segments[^1].Trim('/'),
                new Uri(root.GetProperty("kid").GetString()!),
                new Uri(root.GetProperty("sid").GetString()!),
                FromBase64Url(root.GetProperty("cer").GetString()!),
                enabled,
                notBefore,
                expiresOn,
                exportable,
                contentType);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or UriFormatException)
        {
            throw new KeyVaultRequestException(KeyVaultFailureKind.Unexpected, 200, null,
                $"Key Vault's answer for the certificate '{name}' lacks its id, kid, sid or cer, or one does not parse.", e);
        }
    }

    private static (bool Enabled, DateTimeOffset? NotBefore, DateTimeOffset? ExpiresOn, DateTimeOffset? Created) ReadAttributes(JsonElement item)
    {
        if (!item.TryGetProperty("attributes", out var attributes) || attributes.ValueKind != JsonValueKind.Object)
        {
            return (true, null, null, null);
        }

        DateTimeOffset? Time(string name) =>
            attributes.TryGetProperty(name, out var t) && t.TryGetInt64(out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;
        var enabled = !attributes.TryGetProperty("enabled", out var en) || en.ValueKind != JsonValueKind.False;
        return (enabled, Time("nbf"), Time("exp"), Time("created"));
    }

    private static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var standard = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(standard.PadRight(standard.Length + ((4 - (standard.Length % 4)) % 4), '='));
    }

    private async Task<JsonDocument> SendAsync(
        RequestMethod method, Uri uri, byte[]? body, KeyVaultOperation operation, string objectName, CancellationToken cancellationToken)
    {
        using var message = _pipeline.CreateMessage();
        var request = message.Request;
        request.Method = method;
        request.Uri.Reset(uri);
        request.Uri.AppendQuery("api-version", ApiVersion);
        request.Headers.Add(HttpHeader.Common.JsonAccept);
        if (body is not null)
        {
            request.Headers.Add(HttpHeader.Common.JsonContentType);
            request.Content = RequestContent.Create(body);
        }

        try
        {
            await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 0)
        {
            throw KeyVaultErrors.Unreachable(VaultUri, e.InnerException ?? e);
        }
        catch (HttpRequestException e)
        {
            throw KeyVaultErrors.Unreachable(VaultUri, e);
        }

        var response = message.Response;
        if (response.Status != 200)
        {
            throw KeyVaultErrors.FromResponse(response, VaultUri, operation, objectName);
        }

        try
        {
            return JsonDocument.Parse(response.Content.ToMemory());
        }
        catch (JsonException e)
        {
            throw new KeyVaultRequestException(KeyVaultFailureKind.Unexpected, 200, null,
                $"Key Vault {VaultUri} answered {operation.Description} '{objectName}' with a body that is not JSON ({response.Headers.ContentType}).", e);
        }
    }
}
