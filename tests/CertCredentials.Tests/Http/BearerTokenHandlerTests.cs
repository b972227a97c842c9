using System.Net;
using System.Net.Http.Headers;
using CertCredentials.Tests.Infrastructure;

namespace CertCredentials.Tests.Http;

/// <summary>The handler: bearer on every request, one retry on 401 invalid_token or a CAE claims challenge, never a loop.</summary>
public sealed class BearerTokenHandlerTests
{
    private static readonly Uri Hello = new("hello", UriKind.Relative);

    [Fact]
    public async Task Retries_once_with_a_new_token_after_invalid_token()
    {
        await using var resource = await LocalResource.StartAsync();
        await resource.Client.GetAsync(Hello);
        resource.Api.RejectNextWithInvalidToken(1);

        using var response = await resource.Client.GetAsync(Hello);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        resource.Entra.Service.TokenRequestCount.Should().Be(2, "the rejected token was dropped and a new one fetched");
        resource.Api.Requests.Select(r => r.StatusCode).Should().Equal(200, 401, 200);
        resource.Api.Requests[1].TokenId.Should().NotBe(resource.Api.Requests[2].TokenId);
        resource.Logs.WithId(1200).Should().ContainSingle();
    }

    [Fact]
    public async Task Never_loops_when_the_new_token_is_rejected_too()
    {
        await using var resource = await LocalResource.StartAsync();
        resource.Api.RejectNextWithInvalidToken(5);

        using var response = await resource.Client.GetAsync(Hello);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        resource.Api.Requests.Should().HaveCount(2, "one try and one retry, no more");
    }

    [Fact]
    public async Task Answers_a_claims_challenge_with_a_token_for_those_claims()
    {
        await using var resource = await LocalResource.StartAsync(o => o.EnableContinuousAccessEvaluation = true);
        (await resource.Client.GetAsync(Hello)).StatusCode.Should().Be(HttpStatusCode.OK);
        resource.Entra.Service.RevokeTokens(TestOptions.ClientId);

        using var response = await resource.Client.GetAsync(Hello);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        resource.Api.Requests.Select(r => r.Error).Should().Equal(null, "insufficient_claims", null);
        var claims = resource.Entra.Service.Requests[^1].Form["claims"];
        claims.Should().Contain("cp1").And.Contain("nbf");
        resource.Logs.WithId(1201).Should().ContainSingle();

        (await resource.Client.GetAsync(Hello)).StatusCode.Should().Be(HttpStatusCode.OK, "the challenge's token is now the cached one");
        resource.Entra.Service.TokenRequestCount.Should().Be(2);
    }

    [Fact]
    public async Task Resends_buffered_content_on_the_retry()
    {
        await using var resource = await LocalResource.StartAsync();
        resource.Api.RejectNextWithInvalidToken(1);

        using var response = await resource.Client.PostAsync(new Uri("echo", UriKind.Relative), new StringContent("{\"order\":42}", System.Text.Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be("{\"order\":42}");
    }

    [Fact]
    public async Task Does_not_retry_content_that_cannot_be_sent_again()
    {
        await using var resource = await LocalResource.StartAsync();
        resource.Api.RejectNextWithInvalidToken(1);
        using var stream = new NonSeekableStream(System.Text.Encoding.UTF8.GetBytes("once"));

        using var response = await resource.Client.PostAsync(new Uri("echo", UriKind.Relative), new StreamContent(stream));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        resource.Api.Requests.Should().ContainSingle();
        resource.Logs.WithId(1202).Should().ContainSingle();
    }

    [Fact]
    public async Task Leaves_a_request_that_already_has_an_authorization_header_alone()
    {
        await using var resource = await LocalResource.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, Hello);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "callers-own-token");

        using var response = await resource.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        resource.Entra.Service.TokenRequestCount.Should().Be(0);
        resource.Api.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task Refuses_to_send_a_token_over_plain_http_to_a_remote_host()
    {
        await using var resource = await LocalResource.StartAsync();
        var e = await FluentActions.Awaiting(() => resource.Client.GetAsync(new Uri("http://api.example.invalid/hello")))
            .Should().ThrowAsync<CertificateCredentialException>();
        e.Which.Message.Should().Contain("plain http").And.Contain("api.example.invalid");
        resource.Entra.Service.TokenRequestCount.Should().Be(0, "refused before a token is even fetched");
    }

    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
