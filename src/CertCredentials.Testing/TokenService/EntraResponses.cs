using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace CertCredentials.Testing.TokenService;

/// <summary>Writes the token endpoint's answers as Entra shapes them.</summary>
internal static class EntraResponses
{
    public const string JsonContentType = "application/json; charset=utf-8";

    /// <summary>Entra writes quotes and apostrophes as they are (<c>'client_assertion'</c>), not as <c>\u0027</c>.</summary>
    public static readonly JsonWriterOptions JsonWriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Headers Entra puts on every token response.</summary>
    public static void WriteCommonHeaders(HttpContext context, string traceId)
    {
        var response = context.Response;
        response.Headers.CacheControl = "no-store, no-cache";
        response.Headers.Pragma = "no-cache";
        response.Headers["x-ms-request-id"] = traceId;
        var request = context.Request.Headers;
        if (string.Equals(request["return-client-request-id"], "true", StringComparison.OrdinalIgnoreCase)
            && !string.IsNullOrEmpty(request["client-request-id"]))
        {
            response.Headers["client-request-id"] = request["client-request-id"];
        }
    }

    /// <summary>The correlation ID: the request's <c>client-request-id</c> when sent, else a new GUID.</summary>
    public static string GetCorrelationId(HttpContext context)
    {
        var sent = context.Request.Headers["client-request-id"].ToString();
        return string.IsNullOrEmpty(sent) ? Guid.NewGuid().ToString() : sent;
    }

    public static byte[] CreateErrorBody(TokenError error, string traceId, string correlationId, DateTimeOffset now, string authorityBase)
    {
        var timestamp = now.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var description = $"{error.Description}\r\nTrace ID: {traceId}\r\nCorrelation ID: {correlationId}\r\nTimestamp: {timestamp}";
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, EntraResponses.JsonWriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("error", error.Error);
            json.WriteString("error_description", description);
            json.WriteStartArray("error_codes");
            json.WriteNumberValue(error.Code);
            json.WriteEndArray();
            json.WriteString("timestamp", timestamp);
            json.WriteString("trace_id", traceId);
            json.WriteString("correlation_id", correlationId);
            json.WriteString("error_uri", string.Create(CultureInfo.InvariantCulture, $"{authorityBase}/error?code={error.Code}"));
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public static byte[] CreateSuccessBody(string accessToken, TimeSpan lifetime, LocalTokenServiceOptions options)
    {
        var expiresIn = (long)Math.Max(1, Math.Floor(lifetime.TotalSeconds) - 1);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, EntraResponses.JsonWriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("token_type", "Bearer");
            WriteSeconds(json, "expires_in", expiresIn, options.ExpiresInAsString);
            WriteSeconds(json, "ext_expires_in", expiresIn, options.ExpiresInAsString);
            if (options.RefreshIn is { } refreshIn)
            {
                WriteSeconds(json, "refresh_in", (long)refreshIn.TotalSeconds, options.ExpiresInAsString);
            }

            json.WriteString("access_token", accessToken);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public static async Task WriteAsync(HttpContext context, int statusCode, string contentType, byte[] body)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    private static void WriteSeconds(Utf8JsonWriter json, string name, long seconds, bool asString)
    {
        if (asString)
        {
            json.WriteString(name, seconds.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            json.WriteNumber(name, seconds);
        }
    }
}
