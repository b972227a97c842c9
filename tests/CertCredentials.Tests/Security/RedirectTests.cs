using System.Net;
using CertCredentials.Testing;
using CertCredentials.Tests.Infrastructure;

namespace CertCredentials.Tests.Security;

/// <summary>A bearer token never follows a redirect to another host.</summary>
public sealed class RedirectTests
{
    [Fact]
    public async Task A_redirect_to_another_host_does_not_carry_the_token()
    {
        await using var resource = await LocalResource.StartAsync();
        await using var elsewhere = await LocalProtectedApi.StartAsync(resource.Entra.Service, TestOptions.TenantId, LocalEntra.Resource);
        var target = new UriBuilder(elsewhere.BaseAddress) { Host = "localhost", Path = "hello" }.Uri;

        using var response = await resource.Client.GetAsync(new Uri($"redirect?to={Uri.EscapeDataString(target.AbsoluteUri)}", UriKind.Relative));

        resource.Api.Requests.Should().ContainSingle().Which.HadAuthorization.Should().BeTrue("the first hop is the API the client is for");
        elsewhere.Requests.Should().ContainSingle().Which.HadAuthorization.Should().BeFalse("the token must not reach another host");
        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        resource.Entra.Service.TokenRequestCount.Should().Be(1, "the other host's 401 does not make the handler fetch and send a new token");
        resource.Logs.WithId(1203).Should().ContainSingle();
    }

    [Fact]
    public async Task A_redirect_within_the_same_host_is_still_retried_after_a_rejection()
    {
        await using var resource = await LocalResource.StartAsync();
        var target = new Uri(resource.Api.BaseAddress, "hello");

        using var response = await resource.Client.GetAsync(new Uri($"redirect?to={Uri.EscapeDataString(target.AbsoluteUri)}", UriKind.Relative));

        // The redirect drops the Authorization header (HttpClient's rule); the same-origin 401 is answered once.
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        resource.Api.Requests.Select(r => r.Path).Should().Equal("/redirect", "/hello", "/hello");
    }

    [Fact]
    public async Task Token_requests_never_follow_a_redirect()
    {
        await using var entra = await LocalEntra.StartAsync();
        entra.Service.EnqueueFault(new TokenFault { StatusCode = 307, Body = string.Empty });
        var credential = new CertificateClientCredential(entra.Options());
        try
        {
            var e = await FluentActions.Awaiting(() => credential.GetTokenAsync().AsTask()).Should().ThrowAsync<TokenEndpointException>();
            e.Which.Message.Should().Contain("redirected");
            entra.Service.TokenRequestCount.Should().Be(1, "the assertion is not replayed to wherever a redirect points");
        }
        finally
        {
            credential.Dispose();
        }
    }
}
