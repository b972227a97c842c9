using CertCredentials.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CertCredentials.Tests.TokenEndpoint;

/// <summary>
/// Token requests never follow redirects, whoever built the HttpClient: the signed assertion never reaches another
/// host, and the caller gets a typed error that says so. Against real redirecting Kestrel servers on 127.0.0.1.
/// </summary>
public sealed class RedirectTests : IAsyncLifetime
{
    private RedirectingEndpoint _endpoint = null!;

    public async Task InitializeAsync() => _endpoint = await RedirectingEndpoint.StartAsync();

    public async Task DisposeAsync() => await _endpoint.DisposeAsync();

    private CertificateClientCredentialOptions Options() =>
        TestOptions.Rsa2048(o =>
        {
            o.TokenEndpoint = _endpoint.TokenEndpoint;
            o.MaxRetries = 2;
            o.RetryDelay = TimeSpan.Zero;
        });

    [Theory]
    [InlineData(307)]
    [InlineData(308)]
    public async Task A_callers_own_http_client_that_follows_redirects_does_not_replay_the_assertion(int status)
    {
        _endpoint.RedirectStatus = status;
        using var httpClient = new HttpClient(); // follows redirects, as HttpClient does by default
        using var credential = new CertificateClientCredential(Options(), httpClient);

        var e = await FluentActions.Awaiting(() => credential.GetTokenAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30))).Should().ThrowAsync<TokenEndpointException>();

        e.Which.Failure.Should().Be(CertificateCredentialFailure.InvalidTokenResponse);
        e.Which.IsRetryable.Should().BeFalse("the same request would be redirected the same way");
        e.Which.Message.Should().Contain("redirected the request to " + new Uri(_endpoint.ElsewhereBase, _endpoint.TokenEndpoint.AbsolutePath).AbsoluteUri)
            .And.Contain("the client assertion was not sent there").And.Contain("AllowAutoRedirect");
        _endpoint.ElsewhereRequests.Should().NotContain(r => r.Body.Contains("client_assertion", StringComparison.Ordinal), "the second host never receives the assertion");
        credential.LastFailure.Should().BeSameAs(e.Which);
    }

    [Fact]
    public async Task A_redirect_that_turns_the_post_into_a_get_is_refused_as_another_hosts_answer()
    {
        _endpoint.RedirectStatus = 302;
        using var httpClient = new HttpClient();
        using var credential = new CertificateClientCredential(Options(), httpClient);

        var e = await FluentActions.Awaiting(() => credential.GetTokenAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30))).Should().ThrowAsync<TokenEndpointException>();

        e.Which.Message.Should().Contain("redirected the request to");
        _endpoint.ElsewhereRequests.Should().OnlyContain(r => r.Method == "GET" && r.Body.Length == 0, "the handler dropped the form; its token is not taken");
        credential.CachedToken.Should().BeNull();
    }

    [Fact]
    public async Task The_di_client_does_not_follow_the_redirect_at_all()
    {
        var services = new ServiceCollection();
        services.AddCertificateClientCredential(o => LocalResource.Copy(Options(), o));
        await using var provider = services.BuildServiceProvider();
        var credential = provider.GetRequiredService<CertificateClientCredential>();

        var e = await FluentActions.Awaiting(() => credential.GetTokenAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30))).Should().ThrowAsync<TokenEndpointException>();

        e.Which.StatusCode.Should().Be(307, "the redirect itself comes back: the DI client's handler does not follow it");
        e.Which.Message.Should().Contain("redirected");
        _endpoint.ElsewhereConnections.Should().Be(0, "nothing at all was sent to the second host");
    }

    [Fact]
    public async Task The_credentials_own_client_does_not_follow_the_redirect_at_all()
    {
        using var credential = new CertificateClientCredential(Options());

        var e = await FluentActions.Awaiting(() => credential.GetTokenAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30))).Should().ThrowAsync<TokenEndpointException>();

        e.Which.StatusCode.Should().Be(307);
        _endpoint.ElsewhereConnections.Should().Be(0);
    }
}
