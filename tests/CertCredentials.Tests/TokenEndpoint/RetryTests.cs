using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using CertCredentials.Testing;
using CertCredentials.Tests.Infrastructure;

namespace CertCredentials.Tests.TokenEndpoint;

/// <summary>Transient failures are retried, bounded, with backoff and Retry-After; refusals are not.</summary>
public sealed class RetryTests : IAsyncLifetime
{
    private LocalEntra _entra = null!;

    public async Task InitializeAsync() => _entra = await LocalEntra.StartAsync();

    public async Task DisposeAsync() => await _entra.DisposeAsync();

    private static async Task<AccessToken> Token(CertificateClientCredential credential) =>
        await credential.GetTokenAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));

    [Theory]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task Retries_a_transient_status_then_succeeds(int status)
    {
        _entra.Service.EnqueueFault(new TokenFault { StatusCode = status });
        (await Token(_entra.Credential())).Token.Should().NotBeNullOrEmpty();
        _entra.Service.Requests.Select(r => r.StatusCode).Should().Equal(status, 200);
    }

    [Fact]
    public async Task Retries_a_sequence_of_server_errors()
    {
        foreach (var status in new[] { 500, 502, 503, 504 })
        {
            _entra.Service.EnqueueFault(new TokenFault { StatusCode = status });
        }

        (await Token(_entra.Credential(o => o.MaxRetries = 4))).Token.Should().NotBeNullOrEmpty();
        _entra.Service.TokenRequestCount.Should().Be(5);
    }

    [Fact]
    public async Task Every_attempt_signs_a_new_assertion()
    {
        _entra.Service.EnqueueFault(new TokenFault { StatusCode = 503, Times = 2 });
        await Token(_entra.Credential());
        _entra.Service.Requests.Select(r => r.Form["client_assertion"]).Should().OnlyHaveUniqueItems();
        _entra.Service.Requests.Select(r => r.Headers["client-request-id"]).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task Gives_up_after_the_bounded_number_of_retries()
    {
        _entra.Service.PersistentFault = new TokenFault { StatusCode = 503 };
        var e = await FluentActions.Awaiting(() => Token(_entra.Credential(o => o.MaxRetries = 3))).Should().ThrowAsync<TokenEndpointException>();
        e.Which.Failure.Should().Be(CertificateCredentialFailure.TokenEndpointUnavailable);
        e.Which.IsRetryable.Should().BeTrue();
        e.Which.StatusCode.Should().Be(503);
        e.Which.Message.Should().Contain("Gave up after 4 attempts");
        _entra.Service.TokenRequestCount.Should().Be(4);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    public async Task Does_not_retry_a_refusal(int status)
    {
        _entra.Service.PersistentFault = new TokenFault { StatusCode = status };
        await FluentActions.Awaiting(() => Token(_entra.Credential())).Should().ThrowAsync<TokenEndpointException>();
        _entra.Service.TokenRequestCount.Should().Be(1);
    }

    [Fact]
    public async Task Honours_retry_after_in_seconds()
    {
        _entra.Service.EnqueueFault(new TokenFault { StatusCode = 429, RetryAfter = "1" });
        var watch = Stopwatch.StartNew();
        await Token(_entra.Credential());
        watch.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(950), "Retry-After: 1 asks for a second");
        _entra.Service.TokenRequestCount.Should().Be(2);
    }

    [Fact]
    public async Task Honours_retry_after_as_an_http_date()
    {
        var at = DateTimeOffset.UtcNow.AddSeconds(3);
        _entra.Service.EnqueueFault(new TokenFault { StatusCode = 503, RetryAfter = at.ToString("R", System.Globalization.CultureInfo.InvariantCulture) });
        var watch = Stopwatch.StartNew();
        await Token(_entra.Credential());
        watch.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(1), "the date lies at least 2 whole seconds ahead");
    }

    [Fact]
    public async Task Caps_a_long_retry_after_at_MaxRetryDelay()
    {
        _entra.Service.EnqueueFault(new TokenFault { StatusCode = 429, RetryAfter = "3600" });
        var watch = Stopwatch.StartNew();
        await Token(_entra.Credential(o => o.MaxRetryDelay = TimeSpan.FromMilliseconds(200)));
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30), "an hour-long Retry-After is capped at MaxRetryDelay");
        _entra.Service.TokenRequestCount.Should().Be(2);
    }

    [Fact]
    public async Task Retries_an_attempt_that_outlives_the_request_timeout()
    {
        _entra.Service.EnqueueFault(new TokenFault { StatusCode = 200, Delay = TimeSpan.FromSeconds(10) });
        (await Token(_entra.Credential(o => o.RequestTimeout = TimeSpan.FromMilliseconds(500)))).Token.Should().NotBeNullOrEmpty();
        _entra.Service.TokenRequestCount.Should().Be(2);
    }

    [Fact]
    public async Task Retries_a_connection_reset_mid_response()
    {
        _entra.Service.EnqueueFault(new TokenFault { StatusCode = 200, ResetConnection = true });
        (await Token(_entra.Credential())).Token.Should().NotBeNullOrEmpty();
        _entra.Service.TokenRequestCount.Should().Be(2);
    }

    [Fact]
    public async Task Retries_truncated_json_on_success()
    {
        _entra.Service.EnqueueFault(new TokenFault { StatusCode = 200, ContentType = "application/json", Body = "{\"token_type\":\"Bearer\",\"expires_in\":3599,\"access_tok" });
        (await Token(_entra.Credential())).Token.Should().NotBeNullOrEmpty();
        _entra.Service.TokenRequestCount.Should().Be(2);
    }

    [Fact]
    public async Task Connection_refused_ends_in_a_clear_unavailable_error()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var credential = _entra.Credential(o => { o.TokenEndpoint = new Uri($"http://127.0.0.1:{port}/{TestOptions.TenantId}/oauth2/v2.0/token"); o.MaxRetries = 2; });
        var e = await FluentActions.Awaiting(() => Token(credential)).Should().ThrowAsync<TokenEndpointException>();
        e.Which.Failure.Should().Be(CertificateCredentialFailure.TokenEndpointUnavailable);
        e.Which.StatusCode.Should().BeNull();
        e.Which.Message.Should().Contain($"127.0.0.1:{port}").And.Contain("after 3 attempts").And.Contain("DNS, proxy, firewall");
    }
}
