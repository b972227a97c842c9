using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CertCredentials.TokenEndpoint;

/// <summary>
/// Reads a token endpoint answer: success into a <see cref="TokenResponse"/>, anything else into a
/// <see cref="TokenEndpointException"/> that says what happened and what to do. Reads at most
/// <see cref="MaxResponseBytes"/>, so a runaway body cannot exhaust memory.
/// </summary>
internal static partial class TokenResponseReader
{
    public const int MaxResponseBytes = 1024 * 1024;

    /// <summary>No access token lives longer; a larger expires_in is a server bug.</summary>
    private static readonly TimeSpan MaximumLifetime = TimeSpan.FromHours(24);

    /// <summary>What a zero or negative expires_in on an opaque token is taken as: short, so a wrong guess costs little.</summary>
    private static readonly TimeSpan UnknownLifetime = TimeSpan.FromSeconds(60);

    [GeneratedRegex(@"eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*\.?[A-Za-z0-9_\-]*", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex JwtLike();

    public static async Task<TokenResponse> ReadAsync(HttpResponseMessage response, TokenRequestContext context, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var retryable = status is 408 or 429 or >= 500;
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        var body = await ReadBodyAsync(response, context, status, cancellationToken).ConfigureAwait(false);

        TokenResponseFields? fields = null;
        JsonException? parseError = null;
        try
        {
            fields = body.Length == 0 ? null : Parse(body);
        }
        catch (JsonException e)
        {
            parseError = e;
        }

        if (fields is null)
        {
            var what = body.Length == 0 ? "an empty body" : $"{mediaType ?? "no content type"} ({body.Length} bytes) that is not a JSON object";
            var who = mediaType is not null && mediaType.Contains("html", StringComparison.OrdinalIgnoreCase)
                ? " An HTML page usually comes from a proxy, gateway or firewall between this service and Entra, not from Entra."
                : string.Empty;
            throw new TokenEndpointException(
                retryable || response.IsSuccessStatusCode ? CertificateCredentialFailure.TokenEndpointUnavailable : CertificateCredentialFailure.InvalidTokenResponse,
                $"The token endpoint {context.Endpoint} answered HTTP {status} ({response.ReasonPhrase}) with {what}.{who}{Advice(status)}",
                statusCode: status,
                correlationId: context.CorrelationId,
                isRetryable: retryable || response.IsSuccessStatusCode,
                retryAfter: RetryAfterHeader.Read(response.Headers, context.TimeProvider),
                innerException: parseError);
        }

        if (response.IsSuccessStatusCode && fields.Error is null)
        {
            return ToTokenResponse(fields, status, context);
        }

        throw ToException(fields, status, response, context, retryable);
    }

    private static TokenResponse ToTokenResponse(TokenResponseFields fields, int status, TokenRequestContext context)
    {
        if (string.IsNullOrEmpty(fields.AccessToken))
        {
            throw new TokenEndpointException(CertificateCredentialFailure.InvalidTokenResponse,
                $"The token endpoint {context.Endpoint} answered HTTP {status} without an access_token. It is not behaving as an OAuth 2.0 token endpoint: check TokenEndpoint.",
                statusCode: status, correlationId: fields.CorrelationId ?? context.CorrelationId);
        }

        // Only bearer tokens are sent (Authorization: Bearer). A token of another type (pop) sent as Bearer would be
        // refused by the resource at best; it is refused here, clearly. No token_type at all is taken as Bearer.
        if (!string.IsNullOrEmpty(fields.TokenType) && !string.Equals(fields.TokenType, "Bearer", StringComparison.OrdinalIgnoreCase))
        {
            var type = fields.TokenType.Length <= 32 && fields.TokenType.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
                ? $"'{fields.TokenType}'"
                : $"of {fields.TokenType.Length} characters";
            throw new TokenEndpointException(CertificateCredentialFailure.InvalidTokenResponse,
                $"The token endpoint {context.Endpoint} issued a token of type {type}, not Bearer. This library sends tokens as 'Authorization: Bearer' only, and a token of another type (a proof-of-possession 'pop' token must be bound to each request) would be refused by the resource. Request bearer tokens: check TokenEndpoint and the request's parameters.",
                statusCode: status, correlationId: fields.CorrelationId ?? context.CorrelationId);
        }

        // A positive expires_in is trusted, however short: tokens that live seconds are real. Only an absurd one is
        // capped. Zero, negative or missing: the token's own exp if it is a JWT, else a cautious guess (or an error).
        string? clamped = null;
        TimeSpan lifetime;
        if (TryReadSeconds(fields.ExpiresIn, out var expiresIn) && expiresIn > 0)
        {
            lifetime = expiresIn > MaximumLifetime.TotalSeconds ? MaximumLifetime : TimeSpan.FromSeconds(expiresIn);
            clamped = expiresIn > MaximumLifetime.TotalSeconds ? fields.ExpiresIn : null;
        }
        else if (JwtLifetime(fields.AccessToken, context.TimeProvider) is { } fromToken)
        {
            lifetime = fromToken;
            clamped = fields.ExpiresIn ?? "(missing)";
        }
        else if (fields.ExpiresIn is not null)
        {
            lifetime = UnknownLifetime;
            clamped = fields.ExpiresIn;
        }
        else
        {
            throw new TokenEndpointException(CertificateCredentialFailure.InvalidTokenResponse,
                $"The token endpoint {context.Endpoint} answered HTTP {status} with an access token but no expires_in, and the token carries no expiry of its own, so its lifetime is unknown. Check TokenEndpoint.",
                statusCode: status, correlationId: fields.CorrelationId ?? context.CorrelationId);
        }

        TimeSpan? refreshIn = TryReadSeconds(fields.RefreshIn, out var refresh) && refresh > 0 && refresh < lifetime.TotalSeconds
            ? TimeSpan.FromSeconds(refresh)
            : null;

        return new TokenResponse(fields.AccessToken, lifetime, refreshIn, fields.CorrelationId ?? context.CorrelationId, clamped);
    }

    private static TokenEndpointException ToException(TokenResponseFields fields, int status, HttpResponseMessage response, TokenRequestContext context, bool retryable)
    {
        var code = fields.ErrorCodes.Count > 0 ? fields.ErrorCodes[0] : (int?)null;
        retryable |= fields.Error == "temporarily_unavailable" || code == 90055;
        var correlationId = fields.CorrelationId ?? context.CorrelationId;
        var description = Clean(fields.ErrorDescription);

        var message = new StringBuilder();
        message.Append(code is null ? $"The token endpoint {context.Endpoint} refused the request" : string.Create(CultureInfo.InvariantCulture, $"AADSTS{code}:"))
               .Append(CultureInfo.InvariantCulture, $" ({fields.Error ?? "no error code"}, HTTP {status}).");
        var hint = code is { } known ? AadstsHints.For(known, context.ClientId, context.Tenant, context.Thumbprint) : null;
        message.Append(' ').Append(hint ?? (retryable ? "The endpoint is unavailable or throttling; try again later." : Advice(status).TrimStart()));
        if (description.Length > 0)
        {
            message.Append(" Entra said: \"").Append(description).Append("\".");
        }

        if (code is not null && hint is null)
        {
            message.Append(CultureInfo.InvariantCulture, $" Look the code up at https://login.microsoftonline.com/error?code={code}.");
        }

        message.Append(CultureInfo.InvariantCulture, $" Correlation ID {correlationId}");
        if (fields.TraceId is not null)
        {
            message.Append(CultureInfo.InvariantCulture, $", trace ID {fields.TraceId}");
        }

        message.Append('.');

        return new TokenEndpointException(
            retryable ? CertificateCredentialFailure.TokenEndpointUnavailable : CertificateCredentialFailure.TokenRequestRejected,
            message.ToString(),
            statusCode: status,
            error: fields.Error,
            errorDescription: fields.ErrorDescription is null ? null : JwtLike().Replace(fields.ErrorDescription, "(token removed)"),
            errorCodes: [.. fields.ErrorCodes],
            correlationId: correlationId,
            traceId: fields.TraceId,
            isRetryable: retryable,
            retryAfter: RetryAfterHeader.Read(response.Headers, context.TimeProvider))
        {
            RefusedCertificate = CertificateRefusal.Find(fields.ErrorCodes) is null ? null : context.SignedWith,
        };
    }

    private static string Advice(int status) => status switch
    {
        404 => " The URL does not exist: check AuthorityHost and TenantId, or TokenEndpoint.",
        401 or 403 => " The endpoint refused this client.",
        >= 300 and < 400 => " The endpoint redirected; token requests are not sent on to another address. Set TokenEndpoint to the final URL.",
        408 or 429 or >= 500 => " It is retried with backoff.",
        _ => string.Empty,
    };

    /// <summary>Entra's description without its appended trace lines, without anything token-like, and bounded.</summary>
    private static string Clean(string? description)
    {
        if (string.IsNullOrWhiteSpace(description))
        {
            return string.Empty;
        }

        var text = description;
        var trace = text.IndexOf("Trace ID:", StringComparison.Ordinal);
        if (trace > 0)
        {
            text = text[..trace];
        }

        text = JwtLike().Replace(text, "(token removed)").Replace('\r', ' ').Replace('\n', ' ').Trim();
        if (text.StartsWith("AADSTS", StringComparison.Ordinal) && text.IndexOf(": ", StringComparison.Ordinal) is > 0 and < 16 and var colon)
        {
            text = text[(colon + 2)..];
        }

        return text.Length > 400 ? text[..400] + "..." : text.TrimEnd('.', ' ');
    }

    /// <summary>The remaining lifetime from an (unverified) JWT's exp claim, when the token is a JWT with a future exp.</summary>
    private static TimeSpan? JwtLifetime(string token, TimeProvider timeProvider)
    {
        var parts = token.Split('.');
        if (parts.Length != 3 || !parts[0].StartsWith("eyJ", StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            var payload = System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]);
            using var document = JsonDocument.Parse(payload);
            if (document.RootElement.ValueKind == JsonValueKind.Object &&
                document.RootElement.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var seconds))
            {
                var left = DateTimeOffset.FromUnixTimeSeconds(seconds) - timeProvider.GetUtcNow();
                return left <= TimeSpan.Zero ? null : left > MaximumLifetime ? MaximumLifetime : left;
            }
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException)
        {
        }

        return null;
    }

    private static bool TryReadSeconds(string? text, out double seconds) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out seconds) && double.IsFinite(seconds);

    /// <summary>
    /// Reads the body, never more than <see cref="MaxResponseBytes"/>: into an array of exactly Content-Length bytes
    /// when the server says it (the usual case: one allocation), else through a pooled chunk.
    /// </summary>
    private static async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, TokenRequestContext context, int status, CancellationToken cancellationToken)
    {
        var announced = response.Content.Headers.ContentLength;
        if (announced > MaxResponseBytes)
        {
            throw TooLarge(context, status, announced.Value);
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            if (announced is { } length)
            {
                var body = new byte[length];
                var filled = 0;
                int read;
                while (filled < body.Length && (read = await stream.ReadAsync(body.AsMemory(filled), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    filled += read;
                }

                return filled == body.Length ? body : body[..filled];
            }

            var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                var buffer = new MemoryStream();
                int read;
                while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    if (buffer.Length + read > MaxResponseBytes)
                    {
                        throw TooLarge(context, status, null);
                    }

                    buffer.Write(chunk, 0, read);
                }

                return buffer.ToArray();
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }
        }
    }

    private static TokenEndpointException TooLarge(TokenRequestContext context, int status, long? length) =>
        new(CertificateCredentialFailure.InvalidTokenResponse,
            $"The token endpoint {context.Endpoint} answered HTTP {status} with a body {(length is { } l ? $"of {l} bytes" : "that kept going")}, over the {MaxResponseBytes / 1024} KiB a token response can reasonably take; reading stopped there. Check TokenEndpoint: something other than a token endpoint answered.",
            statusCode: status, correlationId: context.CorrelationId);

    private static TokenResponseFields? Parse(byte[] body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 16 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        var fields = new TokenResponseFields();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "access_token": fields.AccessToken = ScalarText(ref reader); break;
                case "token_type": fields.TokenType = ScalarText(ref reader); break;
                case "expires_in": fields.ExpiresIn = ScalarText(ref reader); break;
                case "refresh_in": fields.RefreshIn = ScalarText(ref reader); break;
                case "error": fields.Error = ScalarText(ref reader); break;
                case "error_description": fields.ErrorDescription = ScalarText(ref reader); break;
                case "trace_id": fields.TraceId = ScalarText(ref reader); break;
                case "correlation_id": fields.CorrelationId = ScalarText(ref reader); break;
                case "error_codes" when reader.TokenType == JsonTokenType.StartArray:
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var code))
                        {
                            fields.ErrorCodes.Add(code);
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }

                    break;
                default: reader.Skip(); break;
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            throw new JsonException("The JSON object is incomplete.");
        }

        return fields;
    }

    /// <summary>A string or number as text (expires_in comes both ways); objects and arrays are skipped.</summary>
    private static string? ScalarText(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.Number:
                return Encoding.UTF8.GetString(reader.ValueSpan);
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                reader.Skip();
                return null;
            default:
                return null;
        }
    }
}
