using System.Net.Sockets;
using CertCredentials.Configuration;
using CertCredentials.Diagnostics;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace CertCredentials.TokenEndpoint;

/// <summary>
/// Sends token requests through a Polly pipeline: a per-attempt timeout inside a bounded retry of transient failures
/// (408, 429, 5xx, connection errors, timeouts) with the back-off of <see cref="RetryBackoff"/> (exponential, jitter,
/// <c>Retry-After</c> up to <see cref="CredentialSettings.MaxRetryDelay"/>). 400/401 refusals are never retried. Every
/// attempt signs a new assertion. What finally fails is always a <see cref="CertificateCredentialException"/> (a
/// <see cref="TokenEndpointException"/> for the endpoint's failures), except the caller's own cancellation.
/// </summary>
internal sealed class TokenRequestPipeline
{
    private readonly TokenRequestSender _sender;
    private readonly ResiliencePipeline _pipeline;
    private readonly CredentialSettings _settings;

    public TokenRequestPipeline(TokenRequestSender sender, CredentialSettings settings, TimeProvider timeProvider, ILogger logger, Func<double>? jitter = null)
    {
        _sender = sender;
        _settings = settings;
        var log = GuardedLogger.For(logger);
        var random = jitter ?? RetryBackoff.RandomJitter;
        var builder = new ResiliencePipelineBuilder { TimeProvider = timeProvider };
        if (settings.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && IsTransient(e, args.Context.CancellationToken)),
                MaxRetryAttempts = settings.MaxRetries,
                // The delay is always ours (RetryBackoff, shared with the cache); Polly's own is not used.
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(RetryBackoff.Delay(settings, args.AttemptNumber + 1,
                    (args.Outcome.Exception as TokenEndpointException)?.RetryAfter, random())),
                OnRetry = args =>
                {
                    CredentialLog.Retrying(log, args.AttemptNumber + 1, settings.Scope, settings.TenantId, settings.TokenEndpoint, Describe(args.Outcome.Exception), args.RetryDelay.TotalMilliseconds);
                    return ValueTask.CompletedTask;
                },
            });
        }

        _pipeline = builder.AddTimeout(settings.RequestTimeout).Build();
    }

    public async Task<TokenResponse> SendAsync(string? claims, CancellationToken cancellationToken)
    {
        var attempts = 0;
        try
        {
            return await _pipeline.ExecuteAsync(
                async (state, token) =>
                {
                    Interlocked.Increment(ref attempts);
                    try
                    {
                        var response = await state.Sender.SendAsync(state.Claims, token).ConfigureAwait(false);
                        CountRequest("success");
                        return response;
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
                    {
                        CountRequest("failure");
                        throw;
                    }
                },
                (Sender: _sender, Claims: claims),
                cancellationToken).ConfigureAwait(false);
        }
        catch (TokenEndpointException e)
        {
            if (attempts <= 1)
            {
                throw;
            }

            throw new TokenEndpointException(e.Failure, $"{e.Message} (Gave up after {attempts} attempts.)", e.StatusCode, e.Error,
                e.ErrorDescription, e.ErrorCodes, e.CorrelationId, e.TraceId, e.IsRetryable, e.RetryAfter, e.InnerException)
            {
                RefusedCertificate = e.RefusedCertificate,
            };
        }
        catch (Exception e) when (IsTransient(e, cancellationToken))
        {
            throw new TokenEndpointException(CertificateCredentialFailure.TokenEndpointUnavailable,
                $"Could not get an answer from the token endpoint {_settings.TokenEndpoint}: {Describe(e)} (after {attempts} attempt{(attempts == 1 ? string.Empty : "s")}). " +
                "Check that this machine reaches that host (DNS, proxy, firewall); the URL comes from AuthorityHost and TenantId, or TokenEndpoint.",
                isRetryable: true, innerException: e);
        }
        catch (Exception e) when (e is not CertificateCredentialException && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            // Whatever else a handler of the HttpClient throws reaches callers typed, never as is.
            throw new TokenEndpointException(CertificateCredentialFailure.TokenEndpointUnavailable,
                $"The token request to {_settings.TokenEndpoint} failed: {Describe(e)} (see InnerException). It is not retried: the same request would fail the same way.",
                innerException: e);
        }
    }

    /// <summary>Counts an attempt; a listener that throws does not change the attempt's outcome.</summary>
    private static void CountRequest(string outcome)
    {
        try
        {
            CredentialTelemetry.TokenRequests.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        }
        catch (Exception)
        {
            // Reporting never changes what callers get.
        }
    }

    /// <summary>Worth another attempt: the endpoint may answer differently later. The caller's own cancellation is not.</summary>
    private static bool IsTransient(Exception exception, CancellationToken callerToken) => exception switch
    {
        TokenEndpointException e => e.IsRetryable,
        HttpRequestException => true,
        TimeoutRejectedException => true,
        OperationCanceledException when !callerToken.IsCancellationRequested => true, // HttpClient.Timeout
        IOException or SocketException => true,
        _ => false,
    };

    private static string Describe(Exception? exception) => exception switch
    {
        TokenEndpointException { StatusCode: { } status, ErrorCodes.Count: > 0 } e => $"HTTP {status}, AADSTS{e.ErrorCodes[0]}",
        TokenEndpointException { StatusCode: { } status } => $"HTTP {status}",
        TimeoutRejectedException => "no answer within RequestTimeout",
        HttpRequestException { HttpRequestError: var error } e => $"{error}: {e.Message}",
        OperationCanceledException => "timed out",
        null => "unknown",
        _ => exception.GetType().Name + ": " + exception.Message,
    };

    internal static string DescribeForLog(Exception exception) => Describe(exception);
}
