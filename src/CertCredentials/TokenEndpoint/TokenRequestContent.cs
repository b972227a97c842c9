using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace CertCredentials.TokenEndpoint;

/// <summary>
/// The form of a token request, which writes itself only to the token endpoint. A handler that follows redirects (an
/// <c>HttpClient</c> the caller built, or a handler added to the DI client) resends the same request message to the
/// new address: this content then refuses to be written, so the client assertion never reaches another host whoever
/// built the client. The refused address is kept for the error.
/// </summary>
internal sealed class TokenRequestContent : HttpContent
{
    private static readonly MediaTypeHeaderValue FormType = new("application/x-www-form-urlencoded");

    private readonly byte[] _body;
    private readonly Uri _endpoint;
    private HttpRequestMessage? _request;

    public TokenRequestContent(IReadOnlyList<KeyValuePair<string, string>> form, Uri endpoint)
    {
        _endpoint = endpoint;
        var text = new StringBuilder();
        foreach (var (name, value) in form)
        {
            if (text.Length > 0)
            {
                text.Append('&');
            }

            text.Append(Encode(name)).Append('=').Append(Encode(value));
        }

        _body = Encoding.ASCII.GetBytes(text.ToString());
        Headers.ContentType = FormType;
    }

    /// <summary>Where a handler tried to send the form other than the token endpoint, or null.</summary>
    public Uri? RefusedDestination { get; private set; }

    /// <summary>Makes this the content of <paramref name="request"/>, whose address it checks before every write.</summary>
    public void AttachTo(HttpRequestMessage request)
    {
        _request = request;
        request.Content = this;
    }

    /// <summary>Whether <paramref name="uri"/> is the token endpoint (scheme, host, port, path and query).</summary>
    public bool IsEndpoint(Uri? uri) =>
        uri is { IsAbsoluteUri: true } && Uri.Compare(uri, _endpoint, UriComponents.HttpRequestUrl, UriFormat.SafeUnescaped, StringComparison.OrdinalIgnoreCase) == 0;

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        ThrowIfRedirected();
        return stream.WriteAsync(_body, cancellationToken).AsTask();
    }

    protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        ThrowIfRedirected();
        stream.Write(_body);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _body.Length;
        return true;
    }

    /// <summary>As FormUrlEncodedContent encodes: percent-encoding, spaces as '+'.</summary>
    private static string Encode(string value) => Uri.EscapeDataString(value).Replace("%20", "+", StringComparison.Ordinal);

    private void ThrowIfRedirected()
    {
        if (_request?.RequestUri is { } destination && !IsEndpoint(destination))
        {
            RefusedDestination = destination;
            throw new HttpRequestException($"The token request was redirected to {destination.GetLeftPart(UriPartial.Path)}; its form is written only to the token endpoint.");
        }
    }
}
