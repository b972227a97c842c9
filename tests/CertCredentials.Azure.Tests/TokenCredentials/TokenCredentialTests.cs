using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;
using CertCredentials.Azure.Tests.Infrastructure;
using CertCredentials.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace CertCredentials.Azure.Tests.TokenCredentials;

/// <summary>AsTokenCredential against the local token service: scopes, tenants, claims, RefreshOn, the sync path.</summary>
public sealed class TokenCredentialTests : IAsyncLifetime
{
    private LocalEntra _entra = null!;

    public async Task InitializeAsync() => _entra = await LocalEntra.StartAsync(o => o.RefreshIn = TimeSpan.FromMinutes(20));

    public async Task DisposeAsync() => await _entra.DisposeAsync();

    [Fact]
    public async Task The_configured_scope_gets_the_credentials_own_token_with_its_expiry_refresh_and_type()
    {
        var credential = _entra.Credential();
        var adapter = credential.AsTokenCredential();

        var token = await adapter.GetTokenAsync(new TokenRequestContext([TestIdentity.GraphScope]), default);
        var own = await credential.GetTokenAsync();

        token.Token.Should().Be(own.Token);
        token.ExpiresOn.Should().Be(own.ExpiresOn);
        token.RefreshOn.Should().Be(own.RefreshOn).And.BeBefore(token.ExpiresOn);
        token.TokenType.Should().Be("Bearer");
        _entra.Service.TokenRequestCount.Should().Be(1);
        credential.AsTokenCredential().Should().BeSameAs(adapter, "one adapter per credential");
    }

    [Theory]
    [InlineData(new string[0], "none")]
    [InlineData(new[] { "https://graph.microsoft.com/.default", "https://vault.azure.net/.default" }, "2 ('https://graph.microsoft.com/.default', 'https://vault.azure.net/.default')")]
    public async Task Anything_but_one_scope_is_refused_with_the_fix_before_anything_is_sent(string[] scopes, string described)
    {
        var adapter = _entra.Credential().AsTokenCredential();

        var refusal = await FluentActions.Awaiting(async () => await adapter.GetTokenAsync(new TokenRequestContext(scopes), default))
            .Should().ThrowAsync<CertificateCredentialException>();

        refusal.Which.Failure.Should().Be(CertificateCredentialFailure.InvalidOptions);
        refusal.Which.Message.Should().Contain($"asks for {described} scopes").And.Contain("exactly one").And.Contain("/.default");
        _entra.Service.TokenRequestCount.Should().Be(0);
    }

    [Fact]
    public async Task A_scope_without_default_is_refused_as_the_credential_refuses_it()
    {
        var adapter = _entra.Credential().AsTokenCredential();

        await FluentActions.Awaiting(async () => await adapter.GetTokenAsync(new TokenRequestContext(["https://vault.azure.net"]), default))
            .Should().ThrowAsync<CertificateCredentialException>().WithMessage("*/.default*");
        _entra.Service.TokenRequestCount.Should().Be(0);
    }

    [Fact]
    public async Task TenantId_and_another_scope_select_that_pairs_cache()
    {
        var credential = _entra.Credential();
        var adapter = credential.AsTokenCredential();

        var other = await adapter.GetTokenAsync(new TokenRequestContext([TestIdentity.GraphScope], tenantId: LocalEntra.OtherTenant), default);
        var vault = await adapter.GetTokenAsync(new TokenRequestContext([LocalKeyVault.DefaultResource + "/.default"]), default);
        var again = await adapter.GetTokenAsync(new TokenRequestContext([TestIdentity.GraphScope], tenantId: LocalEntra.OtherTenant.ToUpperInvariant()), default);

        new JsonWebToken(other.Token).GetPayloadValue<string>("tid").Should().Be(LocalEntra.OtherTenant);
        new JsonWebToken(vault.Token).Audiences.Should().Equal(LocalKeyVault.DefaultResource);
        again.Token.Should().Be(other.Token, "a tenant's spellings share its cache");
        (await credential.GetTokenAsync(LocalEntra.OtherTenant, TestIdentity.GraphScope)).Token.Should().Be(other.Token);
        _entra.Service.Requests.Select(r => (r.Tenant, r.Form["scope"])).Should().Equal(
            (LocalEntra.OtherTenant, TestIdentity.GraphScope), (TestIdentity.TenantId, LocalKeyVault.DefaultResource + "/.default"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(LocalEntra.OtherTenant)]
    public async Task Claims_get_a_new_token_for_the_challenge_which_replaces_the_cached_one(string? tenant)
    {
        var credential = _entra.Credential(o => o.EnableContinuousAccessEvaluation = true);
        var adapter = credential.AsTokenCredential();
        var first = await adapter.GetTokenAsync(new TokenRequestContext([TestIdentity.GraphScope], tenantId: tenant), default);
        var claims = "{\"access_token\":{\"nbf\":{\"essential\":true,\"value\":\"" + TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() + "\"}}}";

        var second = await adapter.GetTokenAsync(new TokenRequestContext([TestIdentity.GraphScope], claims: claims, tenantId: tenant, isCaeEnabled: true), default);
        var cached = await adapter.GetTokenAsync(new TokenRequestContext([TestIdentity.GraphScope], tenantId: tenant), default);

        second.Token.Should().NotBe(first.Token);
        cached.Token.Should().Be(second.Token);
        var request = _entra.Service.Requests[^1];
        request.Tenant.Should().Be(tenant ?? TestIdentity.TenantId);
        request.Form["claims"].Should().Contain("cp1").And.Contain("\"nbf\"");
        _entra.Service.TokenRequestCount.Should().Be(2);
    }

    [Fact]
    public void Sync_GetToken_on_a_cold_cache_does_not_deadlock_a_single_threaded_context_and_then_serves_the_cache()
    {
        var adapter = _entra.Credential().AsTokenCredential();
        var context = new TokenRequestContext([TestIdentity.GraphScope]);

        var cold = SingleThreadedContext.Run(() => adapter.GetToken(context, default), TimeSpan.FromSeconds(60));
        var warm = SingleThreadedContext.Run(() => adapter.GetToken(context, default), TimeSpan.FromSeconds(60));
        var otherTenant = SingleThreadedContext.Run(
            () => adapter.GetToken(new TokenRequestContext([TestIdentity.GraphScope], tenantId: LocalEntra.OtherTenant), default), TimeSpan.FromSeconds(60));

        warm.Token.Should().Be(cold.Token);
        otherTenant.Token.Should().NotBe(cold.Token);
        _entra.Service.TokenRequestCount.Should().Be(2);
    }

    [Fact]
    public async Task Sync_GetToken_answers_a_cached_token_on_the_calling_thread()
    {
        var adapter = _entra.Credential().AsTokenCredential();
        var context = new TokenRequestContext([TestIdentity.GraphScope]);
        adapter.GetToken(context, default);
        var thread = Environment.CurrentManagedThreadId;

        var sync = adapter.GetToken(context, default);
        var onThread = Environment.CurrentManagedThreadId;
        var pending = adapter.GetTokenAsync(context, default);

        pending.IsCompletedSuccessfully.Should().BeTrue("a cached token is a completed ValueTask");
        (await pending).Token.Should().Be(sync.Token);
        onThread.Should().Be(thread);
    }

    [Fact]
    public async Task Sync_GetToken_on_a_cold_cache_blocks_only_its_caller_while_cached_calls_go_on()
    {
        var adapter = _entra.Credential().AsTokenCredential();
        var own = new TokenRequestContext([TestIdentity.GraphScope]);
        var warm = await adapter.GetTokenAsync(own, default);

        // The other tenant's token endpoint holds its answer until the blocked caller gives up.
        _entra.Service.EnqueueFault(new TokenFault { StatusCode = 503, Delay = TimeSpan.FromMinutes(2) });
        using var giveUp = new CancellationTokenSource();
        Exception? blockedOutcome = null;
        var blocked = new Thread(() =>
        {
            try
            {
                adapter.GetToken(new TokenRequestContext([TestIdentity.GraphScope], tenantId: LocalEntra.OtherTenant), giveUp.Token);
            }
            catch (Exception e)
            {
                blockedOutcome = e;
            }
        });
        blocked.Start();
        await Eventually.TrueAsync(() => _entra.Service.TokenRequestCount == 2, "the blocked caller's request reached the token endpoint");

        var cachedAsync = adapter.GetTokenAsync(own, default);
        var cachedSync = adapter.GetToken(own, default);

        cachedAsync.IsCompletedSuccessfully.Should().BeTrue("a cached token does not wait for another pair's flight");
        (await cachedAsync).Token.Should().Be(warm.Token);
        cachedSync.Token.Should().Be(warm.Token);
        blocked.IsAlive.Should().BeTrue("the cold caller is still waiting for its token");
        await giveUp.CancelAsync();
        blocked.Join(TimeSpan.FromSeconds(30)).Should().BeTrue("cancelling the blocked caller ends its wait");
        blockedOutcome.Should().BeAssignableTo<OperationCanceledException>();
    }

    [Fact]
    public async Task Sync_GetToken_reports_a_failure_typed()
    {
        var adapter = _entra.Credential(o => o.MaxRetries = 0).AsTokenCredential();
        _entra.Service.EnqueueFault(new TokenFault { StatusCode = 400 });

        var refusal = FluentActions.Invoking(() => adapter.GetToken(new TokenRequestContext([TestIdentity.GraphScope]), default))
            .Should().Throw<TokenEndpointException>();

        refusal.Which.StatusCode.Should().Be(400);
        (await adapter.GetTokenAsync(new TokenRequestContext([TestIdentity.GraphScope]), default)).Token.Should().NotBeNullOrEmpty("failures are not cached");
    }

    [Fact]
    public async Task Azure_cores_bearer_policy_authorizes_requests_to_a_protected_api_and_reuses_the_token()
    {
        var credential = _entra.Credential();
        var https = LoopbackHttps.CreateCertificate();
        var handler = LoopbackHttps.CreateTrustingHandler(https);
        using var httpsCertificate = https;
        using var trusting = handler;
        await using var api = await LocalProtectedApi.StartAsync(
            _entra.Service, TestIdentity.TenantId, TestIdentity.Graph, new LocalProtectedApiOptions { HttpsCertificate = httpsCertificate });
        var pipeline = HttpPipelineBuilder.Build(
            new LocalClientOptions { Transport = new HttpClientTransport(trusting) },
            new BearerTokenAuthenticationPolicy(credential.AsTokenCredential(), TestIdentity.GraphScope));

        for (var i = 0; i < 3; i++)
        {
            using var message = pipeline.CreateMessage();
            message.Request.Method = RequestMethod.Get;
            message.Request.Uri.Reset(new Uri(api.BaseAddress, "/hello"));
            await pipeline.SendAsync(message, default);
            message.Response.Status.Should().Be(200, Encoding.UTF8.GetString(message.Response.Content.ToArray()));
        }

        _entra.Service.TokenRequestCount.Should().Be(1);
        api.Requests.Should().HaveCount(3).And.OnlyContain(r => r.TokenValid);
    }

    private sealed class LocalClientOptions : ClientOptions
    {
        public LocalClientOptions()
        {
            Retry.MaxRetries = 0;
        }
    }
}
