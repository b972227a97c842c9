namespace CertCredentials.Benchmarks.Infrastructure;

/// <summary>
/// Lends a handler the benchmark owns to IHttpClientFactory, which disposes the handlers it builds: the in-process
/// endpoint must outlive the factory's handler rotation and keep counting requests.
/// </summary>
internal sealed class NonDisposingHandler(HttpMessageHandler inner) : HttpMessageHandler
{
    private readonly HttpMessageInvoker _inner = new(inner, disposeHandler: false);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        _inner.SendAsync(request, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
