using System.Net;
using CertCredentials.Http;
using CertCredentials.Testing;
using CertCredentials.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertCredentials.Tests.Http;

/// <summary>
/// A synchronous <c>HttpClient.Send</c> carries the token as <c>SendAsync</c> does, never leaves without one, and does
/// not deadlock on a cold cache under a single-threaded SynchronizationContext. And the 401 that is not handed back
/// is disposed.
/// </summary>
public sealed class SynchronousSendTests
{
    private static readonly Uri Hello = new("hello", UriKind.Relative);

    [Fact]
    public async Task A_synchronous_send_carries_the_token_cold_and_cached()
    {
        await using var resource = await LocalResource.StartAsync();
        using var client = resource.Client;

        using (var cold = client.Send(new HttpRequestMessage(HttpMethod.Get, Hello)))
        {
            cold.StatusCode.Should().Be(HttpStatusCode.OK, "the API saw a valid token");
        }

        using (var cached = client.Send(new HttpRequestMessage(HttpMethod.Get, Hello)))
        {
            cached.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        resource.Entra.Service.TokenRequestCount.Should().Be(1, "the second call is served from the cache");
        resource.Api.Requests.Should().HaveCount(2).And.OnlyContain(r => r.StatusCode == 200);
    }

    [Fact]
    public async Task A_synchronous_send_retries_once_after_invalid_token()
    {
        await using var resource = await LocalResource.StartAsync();
        using var client = resource.Client;
        resource.Api.RejectNextWithInvalidToken(1);

        using var response = client.Send(new HttpRequestMessage(HttpMethod.Get, Hello));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        resource.Api.Requests.Select(r => r.StatusCode).Should().Equal(401, 200);
    }

    [Fact]
    public async Task A_synchronous_send_without_a_token_is_not_sent_at_all()
    {
        await using var resource = await LocalResource.StartAsync(o => o.MaxRetries = 0);
        resource.Entra.Service.PersistentFault = new TokenFault { StatusCode = 400, ContentType = "application/json", Body = "{\"error\":\"invalid_client\",\"error_codes\":[700027]}" };
        using var client = resource.Client;

        FluentActions.Invoking(() => client.Send(new HttpRequestMessage(HttpMethod.Get, Hello))).Should().Throw<TokenEndpointException>();

        resource.Api.Requests.Should().BeEmpty("never sent unauthenticated");
    }

    [Fact]
    public async Task A_cold_synchronous_send_does_not_deadlock_under_a_single_threaded_synchronization_context()
    {
        await using var resource = await LocalResource.StartAsync(configureEntra: o => o.ResponseDelay = TimeSpan.FromMilliseconds(200));
        using var client = resource.Client;
        HttpStatusCode? status = null;
        Exception? failure = null;
        var context = new UnpumpedSynchronizationContext();
        var thread = new Thread(() =>
        {
            SynchronizationContext.SetSynchronizationContext(context);
            try
            {
                using var response = client.Send(new HttpRequestMessage(HttpMethod.Get, Hello));
                status = response.StatusCode;
            }
            catch (Exception e)
            {
                failure = e;
            }
        }) { IsBackground = true, Name = "UI thread" };

        thread.Start();
        var finished = await Task.Run(() => thread.Join(TimeSpan.FromSeconds(30)));

        finished.Should().BeTrue("a blocked UI thread whose context is never pumped still gets its answer");
        failure.Should().BeNull();
        status.Should().Be(HttpStatusCode.OK);
        context.Posted.Should().Be(0, "nothing needed the blocked thread");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task When_the_retry_after_a_401_cannot_get_a_token_the_401_is_disposed(bool synchronous)
    {
        await using var entra = await LocalEntra.StartAsync();
        var credential = entra.Credential(o => o.MaxRetries = 0);
        var unauthorized = new TrackedContent();
        using var handler = new BearerTokenHandler(credential, NullLogger.Instance) { InnerHandler = new Answering(() => Unauthorized(unauthorized)) };
        using var invoker = new HttpMessageInvoker(handler);
        await credential.GetTokenAsync();
        entra.Service.EnqueueFault(new TokenFault { StatusCode = 400, ContentType = "application/json", Body = "{\"error\":\"invalid_client\",\"error_codes\":[700027]}" });
        var request = new HttpRequestMessage(HttpMethod.Get, "https://api.example.test/hello");

        var send = synchronous
            ? FluentActions.Awaiting(() => Task.Run(() => invoker.Send(request, CancellationToken.None)))
            : FluentActions.Awaiting(() => invoker.SendAsync(request, CancellationToken.None));
        await send.Should().ThrowAsync<TokenEndpointException>();

        unauthorized.Disposed.Should().BeTrue("the 401 is not handed back, so its connection is released");
    }

    private static HttpResponseMessage Unauthorized(HttpContent content)
    {
        var response = new HttpResponseMessage(HttpStatusCode.Unauthorized) { Content = content };
        response.Headers.WwwAuthenticate.ParseAdd("Bearer error=\"invalid_token\"");
        return response;
    }

    private sealed class TrackedContent : StringContent
    {
        public TrackedContent()
            : base("{\"error\":{\"code\":\"InvalidAuthenticationToken\"}}")
        {
        }

        public bool Disposed { get; private set; }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }

    private sealed class Answering(Func<HttpResponseMessage> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => Task.FromResult(answer());

        protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) => answer();
    }
}
