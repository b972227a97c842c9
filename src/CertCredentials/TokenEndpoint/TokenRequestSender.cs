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

    public Uri Endpoint => _settings.TokenEndpoint;

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
        request.Content = new FormUrlEncodedContent(form);
        request.Headers.Accept.Add(Json);
        request.Headers.TryAddWithoutValidation("client-request-id", correlationId);
        request.Headers.TryAddWithoutValidation("return-client-request-id", "true");
        request.Headers.TryAddWithoutValidation("x-client-SKU", "CertCredentials");
        request.Headers.TryAddWithoutValidation("x-client-Ver", Version);

        using var response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var context = new TokenRequestContext(_settings.TokenEndpoint, _settings.ClientId, _settings.TenantId, assertion.Thumbprint, correlationId, _timeProvider);
        return await TokenResponseReader.ReadAsync(response, context, cancellationToken).ConfigureAwait(false);
    }
}
