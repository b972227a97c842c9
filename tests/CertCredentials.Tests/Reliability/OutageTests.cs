using CertCredentials.Testing;
using CertCredentials.Tests.Infrastructure;
using Xunit.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CertCredentials.Tests.Reliability;

/// <summary>
/// The token endpoint down for two hours, on a fake clock: callers keep the valid token while background refreshes
/// back off; after real expiry each call fails clearly without a request per call; the first call after the endpoint
/// returns (and its back-off) recovers.
/// </summary>
public sealed class OutageTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(TestClock.Start);
    private LocalEntra _entra = null!;

    public async Task InitializeAsync() => _entra = await LocalEntra.StartAsync(_time);

    public async Task DisposeAsync() => await _entra.DisposeAsync();

    [Fact]
    public async Task Serves_the_valid_token_through_a_long_outage_then_fails_clearly_without_hammering_then_recovers()
    {
        var credential = _entra.Credential(o => { o.MaxRetries = 0; o.RetryDelay = TimeSpan.FromSeconds(10); o.MaxRetryDelay = TimeSpan.FromSeconds(60); });
        var first = await credential.GetTokenAsync();
        _entra.Service.PersistentFault = new TokenFault { StatusCode = 503 };

        const int callsPerStep = 10;
        var step = TimeSpan.FromSeconds(30);
        int served = 0, failedClearly = 0, callsWhileValid = 0, callsAfterExpiry = 0, requestsWhileValid = 0, requestsAfterExpiry = 0;
        var outageEnds = TimeSpan.FromMinutes(120);
        var usableUntil = first.ExpiresOn.AddMinutes(-5);
        var recoveredAt = (TimeSpan?)null;

        for (var elapsed = step; elapsed <= TimeSpan.FromMinutes(125); elapsed += step)
        {
            _time.Advance(step);
            if (elapsed >= outageEnds)
            {
                _entra.Service.PersistentFault = null;
            }

            var requestsBefore = _entra.Service.TokenRequestCount;
            var valid = _time.GetUtcNow() < usableUntil;
            for (var call = 0; call < callsPerStep; call++)
            {
                try
                {
                    var token = await credential.GetTokenAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
                    served++;
                    if (valid)
                    {
                        token.Should().Be(first, "the valid token is served throughout the outage");
                    }
                    else if (elapsed >= outageEnds)
                    {
                        recoveredAt ??= elapsed;
                    }
                }
                catch (TokenEndpointException e)
                {
                    valid.Should().BeFalse("no caller fails while a valid token exists");
                    e.Failure.Should().Be(CertificateCredentialFailure.TokenEndpointUnavailable);
                    e.Message.Should().Contain("503");
                    failedClearly++;
                }

                await Eventually.TrueAsync(() => !credential.IsAcquiring, "background work settles before the clock moves");
            }

            var sent = _entra.Service.TokenRequestCount - requestsBefore;
            if (valid)
            {
                callsWhileValid += callsPerStep;
                requestsWhileValid += sent;
            }
            else if (elapsed < outageEnds)
            {
                callsAfterExpiry += callsPerStep;
                requestsAfterExpiry += sent;
            }
        }

        output.WriteLine($"while valid: {callsWhileValid} calls, all served, {requestsWhileValid} refresh requests");
        output.WriteLine($"after expiry: {callsAfterExpiry} calls, {failedClearly} clear errors, {requestsAfterExpiry} requests");
        output.WriteLine($"recovered {recoveredAt - outageEnds} after the endpoint returned");

        callsWhileValid.Should().BeGreaterThan(1000);
        requestsWhileValid.Should().BeLessThan(40, "refresh attempts back off to one a minute, not one per call");
        failedClearly.Should().Be(callsAfterExpiry);
        requestsAfterExpiry.Should().BeLessThan(callsAfterExpiry / 5, "after expiry the back-off keeps requests far below calls");
        recoveredAt.Should().NotBeNull();
        (recoveredAt!.Value - outageEnds).Should().BeLessThanOrEqualTo(TimeSpan.FromSeconds(60), "recovery waits at most one back-off");
        credential.LastFailure.Should().BeNull();
    }
}
