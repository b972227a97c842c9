namespace CertCredentials.TokenEndpoint;

/// <summary>
/// The HTTP stack of token requests, one setup for the credential's own client and for the DI client: no redirects
/// (an assertion is never replayed to another host), pooled connections recycled so DNS changes are seen, a connect
/// timeout; HttpClient's own timeout off, since the pipeline enforces RequestTimeout per attempt.
/// </summary>
internal static class TokenEndpointHttp
{
    public static SocketsHttpHandler CreateHandler() => new()
    {
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(15),
    };

    public static void Configure(HttpClient client) => client.Timeout = Timeout.InfiniteTimeSpan;

    public static HttpClient CreateClient()
    {
        var client = new HttpClient(CreateHandler());
        Configure(client);
        return client;
    }
}
