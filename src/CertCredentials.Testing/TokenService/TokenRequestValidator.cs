using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CertCredentials.Testing.TokenService;

/// <summary>
/// The checks Entra makes on a client-credentials token request with a certificate assertion, in Entra's order.
/// Each refusal carries the AADSTS code of <c>shared/protocol.md</c>. Thread-safe.
/// </summary>
internal sealed class TokenRequestValidator
{
    public const string JwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    private const string DefaultScopeSuffix = "/.default";

    private readonly ApplicationRegistry _registry;
    private readonly JtiReplayCache _jtis = new();
    private readonly LocalTokenServiceOptions _options;

    public TokenRequestValidator(ApplicationRegistry registry, LocalTokenServiceOptions options)
    {
        _registry = registry;
        _options = options;
    }

    /// <summary>Validates one request.</summary>
    /// <param name="tenant">The tenant segment of the path.</param>
    /// <param name="form">The form fields.</param>
    /// <param name="assertion">The client assertion parsed as a JWT, or null when absent or unparsable.</param>
    /// <param name="acceptedAudiences">The token endpoint URLs the assertion's <c>aud</c> may name.</param>
    /// <param name="grant">The grant when accepted.</param>
    /// <returns>The refusal, or null when accepted.</returns>
    public TokenError? Validate(
        string tenant,
        IReadOnlyDictionary<string, string> form,
        JsonWebToken? assertion,
        IReadOnlyCollection<string> acceptedAudiences,
        out TokenGrant? grant)
    {
        grant = null;

        if (IsMultiTenantAlias(tenant))
        {
            return TokenError.BadRequest(TokenError.InvalidRequest, 9001023,
                $"The grant type is not supported over the /common, /organizations or /consumers endpoints. Please use the tenant-specific endpoint ('{tenant}' was used).");
        }

        if (!_registry.TryGetTenant(tenant, out var canonicalTenant))
        {
            return TokenError.BadRequest(TokenError.InvalidRequest, 90002,
                $"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.");
        }

        var grantType = form.GetValueOrDefault("grant_type");
        if (string.IsNullOrEmpty(grantType))
        {
            return MissingParameter("grant_type");
        }

        if (grantType != "client_credentials")
        {
            return TokenError.BadRequest(TokenError.UnsupportedGrantType, 70003,
                $"The app requested an unsupported grant type '{grantType}'. This service supports only 'client_credentials'.");
        }

        var clientId = form.GetValueOrDefault("client_id");
        if (string.IsNullOrEmpty(clientId))
        {
            return MissingParameter("client_id");
        }

        if (!_registry.TryGetApplication(canonicalTenant, clientId, out var application))
        {
            return TokenError.BadRequest(TokenError.UnauthorizedClient, 700016,
                $"Application with identifier '{clientId}' was not found in the directory '{canonicalTenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.");
        }

        var rawAssertion = form.GetValueOrDefault("client_assertion");
        if (string.IsNullOrEmpty(rawAssertion))
        {
            return form.ContainsKey("client_secret")
                ? TokenError.Unauthorized(7000215,
                    $"Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{clientId}'. (This application has certificate credentials only.)")
                : TokenError.Unauthorized(7000218,
                    "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
        }

        var assertionType = form.GetValueOrDefault("client_assertion_type");
        if (assertionType != JwtBearerAssertionType)
        {
            return TokenError.BadRequest(TokenError.InvalidRequest, 50027,
                $"Invalid JWT token. The 'client_assertion_type' must be '{JwtBearerAssertionType}', not '{assertionType}'.");
        }

        var refusal = ValidateAssertion(application, clientId, rawAssertion, assertion, acceptedAudiences, out var jti, out var forgetAfter)
            ?? ValidateScopeAndClaims(canonicalTenant, application, form, out grant);
        if (refusal is not null)
        {
            return refusal;
        }

        // The jti is spent only by an accepted request; adding it is the atomic check against concurrent replays.
        if (!_jtis.TryAdd(clientId, jti!, forgetAfter, Now()))
        {
            grant = null;
            return Replayed(jti!);
        }

        return null;
    }

    private TokenError? ValidateAssertion(
        RegisteredApplication application,
        string clientId,
        string rawAssertion,
        JsonWebToken? assertion,
        IReadOnlyCollection<string> acceptedAudiences,
        out string? jti,
        out double forgetAfter)
    {
        jti = null;
        forgetAfter = 0;
        var parts = rawAssertion.Split('.');
        if (assertion is null || assertion.IsEncrypted || parts.Length != 3
            || !TryParseObject(parts[0], out var header) || !TryParseObject(parts[1], out var payload))
        {
            return InvalidJwt("JWT token is invalid or malformed.");
        }

        using (header)
        using (payload)
        {
            // Header: algorithm, then the key by thumbprint.
            var alg = GetString(header.RootElement, "alg");
            if (alg is not ("RS256" or "PS256"))
            {
                return InvalidJwt($"Unsupported signing algorithm '{alg}'. Use RS256 or PS256.");
            }

            var x5tS256 = GetString(header.RootElement, "x5t#S256");
            var x5t = GetString(header.RootElement, "x5t");
            var certificate = FindCertificate(application, x5tS256, x5t);
            if (certificate is null)
            {
                return TokenError.Unauthorized(700027,
                    $"Client assertion failed signature validation. Developer error: the key was not found. (Reason - The key was not found., Thumbprint of key used by client: x5t#S256='{x5tS256}', x5t='{x5t}'. Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{clientId}'.)");
            }

            if (alg == "PS256" && _registry.IsPssRefused(clientId))
            {
                return TokenError.BadRequest(TokenError.InvalidRequest, 5002730,
                    "Invalid JWT token. The key provider of the application's certificate does not support the signing algorithm PS256. Use RS256.");
            }

            if (certificate.KeySize < 2048)
            {
                return TokenError.Unauthorized(50032,
                    $"WeakRsaKey: the certificate's RSA key has {certificate.KeySize} bits; 2048 or more are required.");
            }

            if (header.RootElement.TryGetProperty("x5c", out var x5c) && !ChainStartsWith(x5c, certificate))
            {
                return TokenError.Unauthorized(50012,
                    "Authentication failed: the 'x5c' header must be a JSON array of base64 DER certificates (or a single one) whose first is the certificate registered for the application.");
            }

            // Signature.
            if (!TryDecodeBase64Url(parts[2], out var signature)
                || !certificate.Verify(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature, alg == "PS256"))
            {
                return TokenError.Unauthorized(700027,
                    $"Client assertion failed signature validation. (Reason - signature validation failed for algorithm {alg} with the registered certificate '{certificate.X5tS256}'.)");
            }

            // Claims.
            return ValidateClaims(clientId, payload.RootElement, acceptedAudiences, out jti, out forgetAfter);
        }
    }

    private TokenError? ValidateClaims(
        string clientId,
        JsonElement payload,
        IReadOnlyCollection<string> acceptedAudiences,
        out string? jti,
        out double forgetAfter)
    {
        jti = null;
        forgetAfter = 0;
        if (!AudienceMatches(payload, acceptedAudiences))
        {
            var expected = acceptedAudiences.First();
            return TokenError.Unauthorized(700023,
                $"Client assertion audience claim does not match Realm issuer. The 'aud' claim must be the token endpoint '{expected}'.");
        }

        var iss = GetString(payload, "iss");
        if (iss != clientId)
        {
            return TokenError.Unauthorized(700021,
                $"Client assertion application identifier doesn't match 'client_id' parameter: 'iss' is '{iss}', 'client_id' is '{clientId}'.");
        }

        var sub = GetString(payload, "sub");
        if (sub != iss)
        {
            return TokenError.Unauthorized(50048,
                $"Subject mismatches Issuer claim in the client assertion: 'sub' is '{sub}', 'iss' is '{iss}'.");
        }

        jti = GetString(payload, "jti");
        if (string.IsNullOrEmpty(jti))
        {
            return InvalidJwt("The 'jti' claim is required.");
        }

        if (!TryGetNumericDate(payload, "exp", out var exp, out var expPresent) || !expPresent)
        {
            return InvalidJwt("The 'exp' claim is required and must be a number of seconds since 1970-01-01T00:00:00Z.");
        }

        if (!TryGetNumericDate(payload, "nbf", out var nbf, out var nbfPresent) || !nbfPresent)
        {
            return InvalidJwt("The 'nbf' claim is required and must be a number of seconds since 1970-01-01T00:00:00Z.");
        }

        if (!TryGetNumericDate(payload, "iat", out var iat, out var iatPresent))
        {
            return InvalidJwt("The 'iat' claim must be a number of seconds since 1970-01-01T00:00:00Z.");
        }

        var now = Now();
        var skew = _options.ClockSkew.TotalSeconds;
        if (now < nbf - skew || now > exp + skew || exp < nbf)
        {
            return TokenError.Unauthorized(700024, string.Create(CultureInfo.InvariantCulture,
                $"Client assertion is not within its valid time range. Current time: {FormatUnix(now)}, assertion valid from {FormatUnix(nbf)}, expiry time of assertion {FormatUnix(exp)}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials ."));
        }

        var maximum = _options.MaxAssertionLifetime.TotalSeconds;
        var lifetime = Math.Max(exp - nbf, iatPresent ? exp - iat : 0);
        if (lifetime > maximum)
        {
            return TokenError.Unauthorized(700024, string.Create(CultureInfo.InvariantCulture,
                $"Client assertion is not within its valid time range: its lifetime ({lifetime} s from nbf or iat to exp) exceeds the maximum of {maximum} s."));
        }

        if (_jtis.Contains(clientId, jti))
        {
            return Replayed(jti);
        }

        forgetAfter = exp + skew;

        return null;
    }

    private static TokenError? ValidateScopeAndClaims(
        string tenant,
        RegisteredApplication application,
        IReadOnlyDictionary<string, string> form,
        out TokenGrant? grant)
    {
        grant = null;
        var scopes = form.GetValueOrDefault("scope")?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        if (scopes.Length == 0)
        {
            return MissingParameter("scope");
        }

        var resources = new List<string>();
        foreach (var scope in scopes)
        {
            if (!scope.EndsWith(DefaultScopeSuffix, StringComparison.Ordinal))
            {
                return TokenError.BadRequest(TokenError.InvalidScope, 1002012,
                    $"The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).");
            }

            var resource = RegisteredApplication.NormalizeResource(scope[..^DefaultScopeSuffix.Length]);
            if (!resources.Contains(resource, StringComparer.OrdinalIgnoreCase))
            {
                resources.Add(resource);
            }
        }

        if (resources.Count > 1)
        {
            return TokenError.BadRequest(TokenError.InvalidScope, 700022,
                $"The provided value for the input parameter scope is not valid because it contains more than one resource. Scope {string.Join(' ', scopes)} is not valid.");
        }

        if (!application.TryGetResource(resources[0], out var registeredResource))
        {
            return TokenError.BadRequest(TokenError.InvalidResource, 500011,
                $"The resource principal named {resources[0]} was not found in the tenant named {tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.");
        }

        var capable = false;
        if (form.TryGetValue("claims", out var claims) && !TryReadClientCapability(claims, out capable))
        {
            return TokenError.BadRequest(TokenError.InvalidRequest, 50000,
                "The 'claims' parameter is not a valid claims request: it must be a JSON object such as {\"access_token\":{\"xms_cc\":{\"values\":[\"cp1\"]}}}.");
        }

        grant = new TokenGrant(tenant, application, registeredResource, capable);
        return null;
    }

    /// <summary>True for the multi-tenant aliases that client credentials cannot use.</summary>
    public static bool IsMultiTenantAlias(string tenant) =>
        tenant.Equals("common", StringComparison.OrdinalIgnoreCase)
        || tenant.Equals("organizations", StringComparison.OrdinalIgnoreCase)
        || tenant.Equals("consumers", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads a claims request; <paramref name="capable"/> is true when it declares <c>xms_cc</c> <c>cp1</c>.</summary>
    private static bool TryReadClientCapability(string claims, out bool capable)
    {
        capable = false;
        try
        {
            using var document = JsonDocument.Parse(claims);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            if (document.RootElement.TryGetProperty("access_token", out var accessToken)
                && accessToken.ValueKind == JsonValueKind.Object
                && accessToken.TryGetProperty("xms_cc", out var xmsCc)
                && xmsCc.ValueKind == JsonValueKind.Object
                && xmsCc.TryGetProperty("values", out var values)
                && values.ValueKind == JsonValueKind.Array)
            {
                capable = values.EnumerateArray().Any(v => v.ValueKind == JsonValueKind.String && v.GetString() == "cp1");
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static RegisteredCertificate? FindCertificate(RegisteredApplication application, string? x5tS256, string? x5t)
    {
        foreach (var certificate in application.Certificates)
        {
            if ((x5tS256 is not null && x5tS256 == certificate.X5tS256) || (x5t is not null && x5t == certificate.X5t))
            {
                return certificate;
            }
        }

        return null;
    }

    private static bool ChainStartsWith(JsonElement x5c, RegisteredCertificate certificate)
    {
        var first = x5c.ValueKind switch
        {
            JsonValueKind.String => x5c,
            JsonValueKind.Array when x5c.GetArrayLength() > 0 => x5c[0],
            _ => default,
        };
        if (first.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        if (x5c.ValueKind == JsonValueKind.Array && x5c.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            return false;
        }

        var text = first.GetString()!;
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out var written)
            && buffer.AsSpan(0, written).SequenceEqual(certificate.Der);
    }

    private static bool AudienceMatches(JsonElement payload, IReadOnlyCollection<string> acceptedAudiences)
    {
        if (!payload.TryGetProperty("aud", out var aud))
        {
            return false;
        }

        if (aud.ValueKind == JsonValueKind.Array && aud.GetArrayLength() == 1)
        {
            aud = aud[0];
        }

        return aud.ValueKind == JsonValueKind.String && acceptedAudiences.Contains(aud.GetString(), StringComparer.Ordinal);
    }

    /// <summary>Reads a NumericDate; MSAL's quirk of writing it as a string of digits is accepted, as Entra does.</summary>
    private static bool TryGetNumericDate(JsonElement payload, string name, out double value, out bool present)
    {
        value = 0;
        present = payload.TryGetProperty(name, out var element);
        if (!present)
        {
            return true;
        }

        return element.ValueKind switch
        {
            JsonValueKind.Number => element.TryGetDouble(out value),
            JsonValueKind.String => double.TryParse(element.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out value),
            _ => false,
        };
    }

    private static string? GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool TryParseObject(string base64Url, out JsonDocument document)
    {
        document = null!;
        if (!TryDecodeBase64Url(base64Url, out var bytes))
        {
            return false;
        }

        try
        {
            document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return true;
            }

            document.Dispose();
            return false;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool TryDecodeBase64Url(string text, out byte[] bytes)
    {
        try
        {
            bytes = Base64UrlEncoder.DecodeBytes(text);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }

    private static string FormatUnix(double seconds) =>
        seconds is >= 0 and <= 253402300799
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000)).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)
            : seconds.ToString(CultureInfo.InvariantCulture);

    private double Now() => _options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;

    private static TokenError Replayed(string jti) =>
        InvalidJwt($"The jti '{jti}' was replayed: a client assertion may be used only once.");

    private static TokenError InvalidJwt(string message) => TokenError.Unauthorized(50027, "Invalid JWT token. " + message);

    private static TokenError MissingParameter(string name) => TokenError.BadRequest(TokenError.InvalidRequest, 900144,
        $"The request body must contain the following parameter: '{name}'.");
}
