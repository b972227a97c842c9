using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace CertCredentials.Testing.KeyVault;

/// <summary>Writes the vault's bodies in Key Vault's REST shapes (attributes as Unix seconds, binary as base64url).</summary>
internal static class VaultJson
{
    public const string ContentType = "application/json; charset=utf-8";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Error(VaultError error) => Write(json =>
    {
        json.WriteStartObject("error");
        json.WriteString("code", error.Code);
        json.WriteString("message", error.Message);
        if (error.InnerCode is not null)
        {
            json.WriteStartObject("innererror");
            json.WriteString("code", error.InnerCode);
            json.WriteEndObject();
        }

        json.WriteEndObject();
    });

    /// <summary>A certificate bundle (<c>GET /certificates/{name}/{version}</c>), with its policy.</summary>
    public static byte[] Certificate(VaultCertificate certificate, Uri vault) => Write(json =>
    {
        var ids = certificate.Identifiers;
        json.WriteString("id", ids.Id.AbsoluteUri);
        json.WriteString("kid", ids.KeyId.AbsoluteUri);
        json.WriteString("sid", ids.SecretId.AbsoluteUri);
        json.WriteString("x5t", Thumbprint(ids.Certificate));
        json.WriteString("cer", Convert.ToBase64String(ids.Certificate.RawData));
        WriteAttributes(json, certificate);
        WriteTags(json, certificate.Tags);
        json.WriteStartObject("policy");
        WritePolicyProperties(json, certificate, vault);
        json.WriteEndObject();
    });

    /// <summary>A certificate's policy (<c>GET /certificates/{name}/policy</c>), as the newest version was made.</summary>
    public static byte[] Policy(VaultCertificate certificate, Uri vault) => Write(json => WritePolicyProperties(json, certificate, vault));

    /// <summary><c>GET /certificates/{name}/versions</c>: every version, one page.</summary>
    public static byte[] Versions(IReadOnlyList<VaultCertificate> versions) => Write(json =>
    {
        json.WriteStartArray("value");
        foreach (var version in versions)
        {
            json.WriteStartObject();
            json.WriteString("id", version.Identifiers.Id.AbsoluteUri);
            json.WriteString("x5t", Thumbprint(version.Identifiers.Certificate));
            WriteAttributes(json, version);
            WriteTags(json, version.Tags);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteNull("nextLink");
    });

    /// <summary>A certificate's secret (<c>GET /secrets/{name}/{version}</c>): its key and chain, or the certificate only.</summary>
    public static byte[] CertificateSecret(VaultCertificate certificate) => Write(json =>
    {
        json.WriteString("value", SecretValue(certificate));
        json.WriteString("contentType", certificate.ContentType);
        json.WriteString("id", certificate.Identifiers.SecretId.AbsoluteUri);
        WriteAttributes(json, certificate);
        WriteTags(json, certificate.Tags);
        json.WriteString("kid", certificate.Identifiers.KeyId.AbsoluteUri);
        json.WriteBoolean("managed", true);
    });

    public static byte[] Secret(VaultSecret secret) => Write(json =>
    {
        json.WriteString("value", secret.Value);
        if (secret.ContentType is not null)
        {
            json.WriteString("contentType", secret.ContentType);
        }

        json.WriteString("id", secret.Id.AbsoluteUri);
        json.WriteStartObject("attributes");
        json.WriteBoolean("enabled", secret.Enabled);
        json.WriteNumber("created", secret.Created.ToUnixTimeSeconds());
        json.WriteNumber("updated", secret.Created.ToUnixTimeSeconds());
        json.WriteString("recoveryLevel", "Recoverable+Purgeable");
        json.WriteNumber("recoverableDays", 90);
        json.WriteEndObject();
        json.WriteStartObject("tags");
        json.WriteEndObject();
    });

    /// <summary>A key bundle (<c>GET /keys/{name}/{version}</c>): the public JWK.</summary>
    public static byte[] Key(VaultCertificate certificate) => Write(json =>
    {
        json.WriteStartObject("key");
        json.WriteString("kid", certificate.Identifiers.KeyId.AbsoluteUri);
        if (certificate.Rsa is { } rsa)
        {
            var parameters = rsa.ExportParameters(includePrivateParameters: false);
            json.WriteString("kty", "RSA");
            WriteStrings(json, "key_ops", "sign", "verify", "wrapKey", "unwrapKey", "encrypt", "decrypt");
            json.WriteString("n", Base64UrlEncoder.Encode(parameters.Modulus));
            json.WriteString("e", Base64UrlEncoder.Encode(parameters.Exponent));
        }
        else if (certificate.Ec is { } ec)
        {
            var parameters = ec.ExportParameters(includePrivateParameters: false);
            json.WriteString("kty", "EC");
            WriteStrings(json, "key_ops", "sign", "verify");
            json.WriteString("crv", CurveName(ec));
            json.WriteString("x", Base64UrlEncoder.Encode(parameters.Q.X));
            json.WriteString("y", Base64UrlEncoder.Encode(parameters.Q.Y));
        }

        json.WriteEndObject();
        WriteAttributes(json, certificate);
        WriteTags(json, certificate.Tags);
        json.WriteBoolean("managed", true);
    });

    public static byte[] SignResult(Uri keyId, byte[] signature) => Write(json =>
    {
        json.WriteString("kid", keyId.AbsoluteUri);
        json.WriteString("value", Base64UrlEncoder.Encode(signature));
    });

    public static string KeyType(VaultCertificate certificate) => certificate.Rsa is not null ? "RSA" : "EC";

    internal static string CurveName(ECDsa ec) => ec.KeySize switch
    {
        256 => "P-256",
        384 => "P-384",
        _ => "P-521",
    };

    /// <summary>Key Vault's <c>x5t</c>: SHA-1 of the DER, base64url (an identifier, not a security decision).</summary>
    private static string Thumbprint(X509Certificate2 certificate) =>
        Base64UrlEncoder.Encode(certificate.GetCertHash(HashAlgorithmName.SHA1));

    private static string SecretValue(VaultCertificate certificate)
    {
        var pem = certificate.ContentType == LocalKeyVault.PemContentType;
        if (!certificate.Exportable || certificate.SecretWithoutKey)
        {
            // A non-exportable key never leaves the vault: the secret holds the certificate alone.
            using var publicOnly = X509CertificateLoader.LoadCertificate(certificate.WithKey.RawData);
            return pem ? publicOnly.ExportCertificatePem() + "\n" : Convert.ToBase64String(publicOnly.Export(X509ContentType.Pkcs12));
        }

        if (!pem)
        {
            return Convert.ToBase64String(certificate.WithKey.Export(X509ContentType.Pkcs12));
        }

        var builder = new StringBuilder();
        builder.Append(certificate.Rsa is { } rsa ? rsa.ExportPkcs8PrivateKeyPem() : certificate.Ec!.ExportPkcs8PrivateKeyPem());
        builder.Append('\n').Append(certificate.WithKey.ExportCertificatePem()).Append('\n');
        return builder.ToString();
    }

    private static void WritePolicyProperties(Utf8JsonWriter json, VaultCertificate certificate, Uri vault)
    {
        json.WriteString("id", new Uri(vault, $"certificates/{certificate.Name}/policy").AbsoluteUri);
        json.WriteStartObject("key_props");
        json.WriteBoolean("exportable", certificate.Exportable);
        json.WriteString("kty", KeyType(certificate));
        if (certificate.Rsa is { } rsa)
        {
            json.WriteNumber("key_size", rsa.KeySize);
        }
        else
        {
            json.WriteString("crv", CurveName(certificate.Ec!));
        }

        json.WriteBoolean("reuse_key", false);
        json.WriteEndObject();
        json.WriteStartObject("secret_props");
        json.WriteString("contentType", certificate.ContentType);
        json.WriteEndObject();
        json.WriteStartObject("x509_props");
        json.WriteString("subject", certificate.WithKey.Subject);
        WriteStrings(json, "ekus", "1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        WriteStrings(json, "key_usage", "digitalSignature", "keyEncipherment");
        json.WriteNumber("validity_months", 12);
        json.WriteStartObject("basic_constraints");
        json.WriteBoolean("ca", false);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteStartArray("lifetime_actions");
        json.WriteStartObject();
        json.WriteStartObject("trigger");
        json.WriteNumber("lifetime_percentage", 80);
        json.WriteEndObject();
        json.WriteStartObject("action");
        json.WriteString("action_type", "AutoRenew");
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteStartObject("issuer");
        json.WriteString("name", "Self");
        json.WriteEndObject();
        json.WriteStartObject("attributes");
        json.WriteBoolean("enabled", true);
        json.WriteNumber("created", certificate.Created.ToUnixTimeSeconds());
        json.WriteNumber("updated", certificate.Created.ToUnixTimeSeconds());
        json.WriteEndObject();
    }

    private static void WriteAttributes(Utf8JsonWriter json, VaultCertificate certificate)
    {
        json.WriteStartObject("attributes");
        json.WriteBoolean("enabled", certificate.Enabled);
        json.WriteNumber("nbf", certificate.NotBefore.ToUnixTimeSeconds());
        json.WriteNumber("exp", certificate.ExpiresOn.ToUnixTimeSeconds());
        json.WriteNumber("created", certificate.Created.ToUnixTimeSeconds());
        json.WriteNumber("updated", certificate.Created.ToUnixTimeSeconds());
        json.WriteString("recoveryLevel", "Recoverable+Purgeable");
        json.WriteNumber("recoverableDays", 90);
        json.WriteEndObject();
    }

    private static void WriteTags(Utf8JsonWriter json, IReadOnlyDictionary<string, string> tags)
    {
        json.WriteStartObject("tags");
        foreach (var (name, value) in tags)
        {
            json.WriteString(name, value);
        }

        json.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, params string[] values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
