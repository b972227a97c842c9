using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace CertCredentials.Benchmarks.Infrastructure;

/// <summary>
/// Answers token requests in process, for the cached-lookup benchmarks, where the network is never touched while
/// measuring and would only slow the setup of 10,000 tokens. It does not verify the assertion (the loopback service
/// does, in the cold and concurrency scenarios); it counts the requests, so a setup can prove the cache is warm.
/// </summary>
internal sealed class InProcessTokenEndpoint : HttpMessageHandler
{
    private int _tokenRequests;

    public int TokenRequests => Volatile.Read(ref _tokenRequests);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri?.AbsolutePath ?? string.Empty;
        if (request.Method != HttpMethod.Post || !path.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Unexpected call {request.Method} {request.RequestUri}: only token requests are answered here.");
        }

        Interlocked.Increment(ref _tokenRequests);
        var form = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        var scope = form.Split('&').Select(WebUtility.UrlDecode).FirstOrDefault(p => p!.StartsWith("scope=", StringComparison.Ordinal))?[6..] ?? "?";
        var tenant = path.Split('/', StringSplitOptions.RemoveEmptyEntries)[0];
        var token = FakeAccessToken(tenant, scope);
        var body = $"{{\"token_type\":\"Bearer\",\"expires_in\":3599,\"ext_expires_in\":3599,\"access_token\":\"{token}\"}}";
        var response = new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
            RequestMessage = request,
        };
        if (request.Headers.TryGetValues("client-request-id", out var ids))
        {
            response.Headers.TryAddWithoutValidation("client-request-id", ids);
        }

        response.Headers.CacheControl = new CacheControlHeaderValue { NoStore = true };
        return response;
    }

    /// <summary>A JWT-shaped string (not signed) that differs per tenant and scope.</summary>
    private static string FakeAccessToken(string tenant, string scope)
    {
        static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return $"{B64("{\"alg\":\"none\",\"typ\":\"JWT\"}")}.{B64($"{{\"tid\":\"{tenant}\",\"scp\":\"{scope}\",\"n\":\"{Guid.NewGuid()}\"}}")}.c2ln";
    }
}
