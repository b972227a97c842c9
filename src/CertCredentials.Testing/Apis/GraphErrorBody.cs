using System.Globalization;
using System.Text.Json;
using CertCredentials.Testing.TokenService;

namespace CertCredentials.Testing.Apis;

/// <summary>
/// Microsoft Graph's error body: <c>{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}</c>.
/// </summary>
internal static class GraphErrorBody
{
    public const string ContentType = "application/json; charset=utf-8";

    /// <summary>Writes the status, the <c>request-id</c>/<c>client-request-id</c> headers and the body.</summary>
    public static async Task WriteAsync(HttpContext context, int statusCode, string code, string message, DateTimeOffset now)
    {
        var requestId = GetOrCreateRequestId(context);
        var clientRequestId = context.Request.Headers["client-request-id"].ToString();
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, EntraResponses.JsonWriterOptions))
        {
            json.WriteStartObject();
            json.WriteStartObject("error");
            json.WriteString("code", code);
            json.WriteString("message", message);
            json.WriteStartObject("innerError");
            json.WriteString("date", now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
            json.WriteString("request-id", requestId);
            json.WriteString("client-request-id", string.IsNullOrEmpty(clientRequestId) ? requestId : clientRequestId);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        context.Response.StatusCode = statusCode;
        context.Response.ContentType = ContentType;
        context.Response.ContentLength = buffer.Length;
        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// Graph's <c>request-id</c> and <c>client-request-id</c> headers (the latter echoing the request's, else the
    /// request ID), set once per request.
    /// </summary>
    public static string GetOrCreateRequestId(HttpContext context)
    {
        var headers = context.Response.Headers;
        if (headers.TryGetValue("request-id", out var existing) && existing.Count > 0)
        {
            return existing.ToString();
        }

        var requestId = Guid.NewGuid().ToString();
        var clientRequestId = context.Request.Headers["client-request-id"].ToString();
        headers["request-id"] = requestId;
        headers["client-request-id"] = string.IsNullOrEmpty(clientRequestId) ? requestId : clientRequestId;
        return requestId;
    }
}
