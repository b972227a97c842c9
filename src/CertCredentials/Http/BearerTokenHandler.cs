using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;

namespace CertCredentials.Http;

/// <summary>
/// Puts the credential's token on every request as <c>Authorization: Bearer</c>. On a 401 it tries once more: with a
/// new token after <c>error="invalid_token"</c>, or with a token answering the claims after a CAE
/// <c>error="insufficient_claims"</c> challenge; never in a loop, and only when the request content can be sent again.
/// Leaves a request that already carries an Authorization header alone, and never sends a token over plain http to a
/// host that is not loopback. Serves <c>HttpClient.Send</c> (synchronous) as it serves <c>SendAsync</c>.
/// </summary>
internal sealed class BearerTokenHandler : DelegatingHandler
{
    private readonly CertificateClientCredential _credential;
    private readonly ILogger _logger;
    private CachedHeader? _lastHeader;

    public BearerTokenHandler(CertificateClientCredential credential, ILogger logger)
    {
        _credential = credential;
        _logger = Diagnostics.GuardedLogger.For(logger);
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        SendCoreAsync(request, synchronous: false, cancellationToken);

    /// <summary>
    /// A synchronous <c>HttpClient.Send</c> gets the same token and the same 401 handling: a cached token is served
    /// synchronously; a cold cache blocks this caller alone until the shared request answers (that request runs on the
    /// thread pool with <c>ConfigureAwait(false)</c> throughout, so a single-threaded SynchronizationContext cannot
    /// deadlock it). The request is never sent without a token: no token, no request.
    /// </summary>
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var sending = SendCoreAsync(request, synchronous: true, cancellationToken);
        Debug.Assert(sending.IsCompleted, "the synchronous path never awaits anything incomplete");
        return sending.GetAwaiter().GetResult();
    }

    /// <summary>One path for both: with <paramref name="synchronous"/>, every step blocks instead of awaiting, so the task returned is complete.</summary>
    private async Task<HttpResponseMessage> SendCoreAsync(HttpRequestMessage request, bool synchronous, CancellationToken cancellationToken)
    {
        if (request.Headers.Authorization is not null)
        {
            return await SendInnerAsync(request, synchronous, cancellationToken).ConfigureAwait(false);
        }

        ThrowIfPlainHttpToRemoteHost(request.RequestUri);
        var origin = request.RequestUri;

        var token = synchronous ? Block(_credential.GetTokenAsync(cancellationToken)) : await _credential.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = HeaderFor(token.Token);
        var response = await SendInnerAsync(request, synchronous, cancellationToken).ConfigureAwait(false);
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
        try
        {
            if (challenge.IsClaimsChallenge)
            {
                HttpLog.ClaimsChallenge(_logger, request.RequestUri?.Host);
                var refreshing = _credential.RefreshTokenAsync(challenge.Claims, cancellationToken);
                retryToken = synchronous ? refreshing.GetAwaiter().GetResult() : await refreshing.ConfigureAwait(false);
            }
            else
            {
                HttpLog.TokenRejected(_logger, request.RequestUri?.Host);
                _credential.InvalidateToken(token.Token);
                retryToken = synchronous ? Block(_credential.GetTokenAsync(cancellationToken)) : await _credential.GetTokenAsync(cancellationToken).ConfigureAwait(false);
                if (string.Equals(retryToken.Token, token.Token, StringComparison.Ordinal))
                {
                    return response;
                }
            }
        }
        catch
        {
            // The 401 is not handed back (the caller gets the token failure instead): release its connection.
            response.Dispose();
            throw;
        }

        response.Dispose();
        request.Headers.Authorization = HeaderFor(retryToken.Token);
        return await SendInnerAsync(request, synchronous, cancellationToken).ConfigureAwait(false);
    }

    private Task<HttpResponseMessage> SendInnerAsync(HttpRequestMessage request, bool synchronous, CancellationToken cancellationToken) =>
        synchronous ? Task.FromResult(base.Send(request, cancellationToken)) : base.SendAsync(request, cancellationToken);

    /// <summary>A token for a synchronous caller: the cached one at once, else this thread waits for the shared request.</summary>
    private static AccessToken Block(ValueTask<AccessToken> token) =>
        token.IsCompletedSuccessfully ? token.Result : token.AsTask().GetAwaiter().GetResult();

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
