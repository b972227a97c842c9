using System.Net.Http.Headers;
using System.Reflection;
using CertCredentials.Assertion;
using CertCredentials.Configuration;

namespace CertCredentials.TokenEndpoint;

/// <summary>
/// One token request: the form of protocol.md with a newly signed assertion, a <c>client-request-id</c> for Entra's
/// logs, and the answer read by <see cref="TokenResponseReader"/>.
/// </summary>
internal sealed class TokenRequestSender
{
    private const string AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    private static readonly string Version = typeof(TokenRequestSender).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0";
    private static readonly MediaTypeWithQualityHeaderValue Json = new("application/json");

    private readonly HttpClient _httpClient;
    private readonly CredentialSettings _settings;
    private readonly ClientAssertionFactory _assertions;
    private readonly TimeProvider _timeProvider;

    public TokenRequestSender(HttpClient httpClient, CredentialSettings settings, ClientAssertionFactory assertions, TimeProvider timeProvider)
    {
        _httpClient = httpClient;
        _settings = settings;
        _assertions = assertions;
        _timeProvider = timeProvider;
    }

    public async Task<TokenResponse> SendAsync(string? claims, CancellationToken cancellationToken)
    {
        var correlationId = Guid.NewGuid().ToString();
        ClientAssertion assertion;
        try
        {
            assertion = await _assertions.CreateAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            // Here the token is cancelled only by the attempt's RequestTimeout or by disposal (callers' own
            // cancellation stops their wait, not the request): a signer that did not answer in time, typed, and not
            // retried as if the endpoint were down. Disposal is told apart by the cache.
            throw new CertificateCredentialException(CertificateCredentialFailure.SigningFailed,
                $"The client assertion was not signed within RequestTimeout ({_settings.RequestTimeout.TotalSeconds:0.#} s): the signer of the certificate did not answer. Check that its key store is reachable, or raise RequestTimeout.", e);
        }
        catch (Exception e) when (e is not CertificateCredentialException and not OperationCanceledException)
        {
            // A CryptographicException, a disposed key: the signing failed, whatever its type.
            throw new CertificateCredentialException(CertificateCredentialFailure.SigningFailed,
                $"The client assertion could not be signed ({e.GetType().Name}; see InnerException). Check the key; if it lives in a key store, that the store is reachable.", e);
        }

        var form = new List<KeyValuePair<string, string>>(6)
        {
            new("grant_type", "client_credentials"),
            new("client_id", _settings.ClientId),
            new("scope", _settings.Scope),
            new("client_assertion_type", AssertionType),
            new("client_assertion", assertion.Text),
        };
        if (claims is not null)
        {
            form.Add(new("claims", claims));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, _settings.TokenEndpoint);
        var content = new TokenRequestContent(form, _settings.TokenEndpoint);
        content.AttachTo(request);
        request.Headers.Accept.Add(Json);
        request.Headers.TryAddWithoutValidation("client-request-id", correlationId);
        request.Headers.TryAddWithoutValidation("return-client-request-id", "true");
        request.Headers.TryAddWithoutValidation("x-client-SKU", "CertCredentials");
        request.Headers.TryAddWithoutValidation("x-client-Ver", Version);

        HttpResponseMessage response;
        try
        {
            response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (content.RefusedDestination is { } destination)
        {
            throw Redirected(destination, correlationId, e);
        }
        catch (ObjectDisposedException e)
        {
            throw new TokenEndpointException(CertificateCredentialFailure.TokenEndpointUnavailable,
                $"The HttpClient for token requests was disposed ({e.ObjectName}), so no token request can be sent to {_settings.TokenEndpoint}. " +
                "An HttpClient given to the credential must live as long as the credential: keep it, or give none (the credential then makes its own).",
                correlationId: correlationId, innerException: e);
        }

        using (response)
        {
            // A handler that followed a redirect without resending the form (a 301/302 turns the POST into a GET):
            // the answer is another host's, not the token endpoint's.
            if (response.RequestMessage?.RequestUri is { } answeredBy && !content.IsEndpoint(answeredBy))
            {
                throw Redirected(answeredBy, correlationId, innerException: null);
            }

            var context = new TokenRequestContext(_settings.TokenEndpoint, _settings.ClientId, _settings.TenantId, assertion.Thumbprint, correlationId, _timeProvider);
            return await TokenResponseReader.ReadAsync(response, context, cancellationToken).ConfigureAwait(false);
        }
    }

    private TokenEndpointException Redirected(Uri destination, string correlationId, Exception? innerException) =>
        new(CertificateCredentialFailure.InvalidTokenResponse,
            $"The token endpoint {_settings.TokenEndpoint} redirected the request to {destination.GetLeftPart(UriPartial.Path)}. Token requests never follow redirects, " +
            "so the client assertion was not sent there: the HttpClient given to the credential (or a handler added to it) follows redirects. " +
            "Set TokenEndpoint to the final URL, and give the credential an HttpClient whose handler has AllowAutoRedirect = false (or none).",
            correlationId: correlationId, innerException: innerException);
}
