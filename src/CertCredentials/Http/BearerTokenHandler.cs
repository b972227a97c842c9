using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;

namespace CertCredentials.Http;

/// <summary>
/// Puts the credential's token on every request as <c>Authorization: Bearer</c>. On a 401 it tries once more: with a
/// new token after <c>error="invalid_token"</c>, or with a token answering the claims after a CAE
/// <c>error="insufficient_claims"</c> challenge; never in a loop, and only when the request content can be sent again.
/// Leaves a request that already carries an Authorization header alone, and never sends a token over plain http to a
/// host that is not loopback.
/// </summary>
internal sealed class BearerTokenHandler : DelegatingHandler
{
    private readonly CertificateClientCredential _credential;
    private readonly ILogger _logger;
    private CachedHeader? _lastHeader;

    public BearerTokenHandler(CertificateClientCredential credential, ILogger logger)
    {
        _credential = credential;
        _logger = logger;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.Authorization is not null)
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        ThrowIfPlainHttpToRemoteHost(request.RequestUri);
        var origin = request.RequestUri;

        var token = await _credential.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = HeaderFor(token.Token);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        // HttpClient follows redirects below this handler and rewrites RequestUri. A 401 from another origin never
        // saw our token (redirects drop it); retrying would hand a fresh token to that other host.
        if (!SameOrigin(origin, request.RequestUri))
        {
            HttpLog.NotRetriedAfterRedirect(_logger, request.RequestUri?.Host);
            return response;
        }

        var challenge = BearerChallenge.From(response.Headers.WwwAuthenticate);
        if (challenge is null || !(challenge.IsInvalidToken || challenge.IsClaimsChallenge))
        {
            return response;
        }

        if (!CanSendAgain(request.Content))
        {
            HttpLog.CannotRetry(_logger, request.RequestUri?.Host, challenge.Error);
            return response;
        }

        AccessToken retryToken;
        if (challenge.IsClaimsChallenge)
        {
            HttpLog.ClaimsChallenge(_logger, request.RequestUri?.Host);
            retryToken = await _credential.RefreshTokenAsync(challenge.Claims, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            HttpLog.TokenRejected(_logger, request.RequestUri?.Host);
            _credential.InvalidateToken(token.Token);
            retryToken = await _credential.GetTokenAsync(cancellationToken).ConfigureAwait(false);
            if (string.Equals(retryToken.Token, token.Token, StringComparison.Ordinal))
            {
                return response;
            }
        }

        response.Dispose();
        request.Headers.Authorization = HeaderFor(retryToken.Token);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One header object per token, reused: the common case is many requests with the same token.</summary>
    private AuthenticationHeaderValue HeaderFor(string token)
    {
        // An immutable pair read and written as one reference: concurrent requests share this handler.
        var last = Volatile.Read(ref _lastHeader);
        if (last is not null && ReferenceEquals(last.Token, token))
        {
            return last.Header;
        }

        var header = new AuthenticationHeaderValue("Bearer", token);
        Volatile.Write(ref _lastHeader, new CachedHeader(token, header));
        return header;
    }

    private static bool SameOrigin(Uri? first, Uri? second) =>
        first is { IsAbsoluteUri: true } && second is { IsAbsoluteUri: true } &&
        Uri.Compare(first, second, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    private static void ThrowIfPlainHttpToRemoteHost(Uri? uri)
    {
        if (uri is { IsAbsoluteUri: true } && uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
        {
            throw new CertificateCredentialException(CertificateCredentialFailure.InvalidOptions,
                $"Refused to send an access token over plain http to '{uri.Host}': it would travel unencrypted. Use an https URL (plain http is allowed only for 127.0.0.1, ::1 and localhost).");
        }
    }

    /// <summary>Buffered contents can be sent twice; a stream already read cannot.</summary>
    private static bool CanSendAgain(HttpContent? content) => content switch
    {
        null => true,
        ByteArrayContent or ReadOnlyMemoryContent => true,
        MultipartContent multipart => multipart.All(CanSendAgain),
        _ => content.GetType().FullName == "System.Net.Http.Json.JsonContent",
    };

    private sealed record CachedHeader(string Token, AuthenticationHeaderValue Header);
}
