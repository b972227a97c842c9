using CertCredentials.Caching;
using CertCredentials.Configuration;
using CertCredentials.Tests.Infrastructure;
using CertCredentials.TokenEndpoint;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.Extensions.Time.Testing;

namespace CertCredentials.Tests.Caching;

/// <summary>
/// One credential serving other tenants and scopes (<c>GetTokenAsync(tenant, scope)</c>) against the local token
/// service, where the application is registered in several tenants, on a fake clock shared by both.
/// </summary>
public sealed class TenantCachesTests : IAsyncLifetime
{
    private const string Contoso = "0c0c0c0c-1111-4111-8111-0c0c0c0c0c0c";
    private const string Fabrikam = "fabfabfa-2222-4222-8222-fabfabfabfab";
    private const string MyApi = "api://my-api";

    private readonly FakeTimeProvider _time = new(TestClock.Start);
    private LocalEntra _entra = null!;

    public async Task InitializeAsync()
    {
        _entra = await LocalEntra.StartAsync(_time);
        using var certificate = Fixture.Certificate("rsa2048.crt.pem");
        _entra.Service.RegisterApplication(Contoso, TestOptions.ClientId, certificate, LocalEntra.Resource, MyApi);
        _entra.Service.RegisterApplication(Fabrikam, TestOptions.ClientId, certificate, LocalEntra.Resource);
        _entra.Service.RegisterApplication(TestOptions.TenantId, TestOptions.ClientId, certificate, MyApi);
    }

    public async Task DisposeAsync() => await _entra.DisposeAsync();

    [Fact]
    public async Task Serves_each_tenant_a_token_from_its_own_endpoint_with_an_assertion_for_that_endpoint()
    {
        var credential = MultiTenant();

        var contoso = await credential.GetTokenAsync(Contoso, TestOptions.Scope);
        var fabrikam = await credential.GetTokenAsync(Fabrikam, TestOptions.Scope);

        var requests = _entra.Service.Requests;
        requests.Select(r => r.Tenant).Should().Equal(Contoso, Fabrikam);
        requests.Should().OnlyContain(r => r.StatusCode == 200);
        requests[0].Assertion!.Audiences.Should().Equal(_entra.Service.GetTokenEndpoint(Contoso).ToString());
        requests[1].Assertion!.Audiences.Should().Equal(_entra.Service.GetTokenEndpoint(Fabrikam).ToString());
        (await Validate(contoso, Contoso, LocalEntra.Resource)).Should().BeTrue("Contoso's token is issued by Contoso for Graph");
        (await Validate(fabrikam, Fabrikam, LocalEntra.Resource)).Should().BeTrue();
        (await Validate(contoso, Fabrikam, LocalEntra.Resource)).Should().BeFalse("tenants' tokens are not interchangeable");
    }

    [Fact]
    public async Task Serves_another_scope_of_the_configured_tenant()
    {
        var credential = MultiTenant();
        var graph = await credential.GetTokenAsync();
        var myApi = await credential.GetTokenAsync(TestOptions.TenantId, MyApi + "/.default");

        myApi.Token.Should().NotBe(graph.Token);
        (await Validate(myApi, TestOptions.TenantId, MyApi)).Should().BeTrue();
        _entra.Service.Requests.Select(r => r.Form["scope"]).Should().Equal(TestOptions.Scope, MyApi + "/.default");
    }

    [Fact]
    public async Task Answers_from_the_cache_synchronously_without_another_request()
    {
        var credential = MultiTenant();
        var contoso = await credential.GetTokenAsync(Contoso, TestOptions.Scope);
        var fabrikam = await credential.GetTokenAsync(Fabrikam, TestOptions.Scope);

        for (var i = 0; i < 100; i++)
        {
            credential.GetTokenAsync(Contoso, TestOptions.Scope).Synchronously().Should().Be(contoso);
            credential.GetTokenAsync(Fabrikam, TestOptions.Scope).Synchronously().Should().Be(fabrikam);
        }

        _entra.Service.TokenRequestCount.Should().Be(2);
    }

    [Fact]
    public async Task The_configured_tenant_and_scope_share_the_credentials_own_cache_however_spelled()
    {
        var credential = MultiTenant();
        var own = await credential.GetTokenAsync();

        credential.GetTokenAsync(TestOptions.TenantId, TestOptions.Scope).Synchronously().Should().Be(own);
        credential.GetTokenAsync(" " + TestOptions.TenantId.ToUpperInvariant(), TestOptions.Scope + " ").Synchronously().Should().Be(own);
        _entra.Service.TokenRequestCount.Should().Be(1);
    }

    [Fact]
    public async Task Other_spellings_of_a_tenant_share_its_cache()
    {
        var credential = MultiTenant();
        var first = await credential.GetTokenAsync(Contoso, TestOptions.Scope);

        credential.GetTokenAsync(Contoso.ToUpperInvariant(), TestOptions.Scope).Synchronously().Should().Be(first);
        credential.GetTokenAsync("  " + Contoso + "\t", TestOptions.Scope).Synchronously().Should().Be(first);
        _entra.Service.TokenRequestCount.Should().Be(1);
    }

    [Fact]
    public async Task Concurrent_cold_callers_send_one_request_per_tenant()
    {
        var credential = MultiTenant();
        using var start = new ManualResetEventSlim();
        var callers = Enumerable.Range(0, 60).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await credential.GetTokenAsync(i % 2 == 0 ? Contoso : Fabrikam, TestOptions.Scope);
        })).ToArray();
        start.Set();
        var tokens = await Task.WhenAll(callers);

        _entra.Service.TokenRequestCount.Should().Be(2, "one request per tenant, however many callers");
        tokens.Select(t => t.Token).Distinct().Should().HaveCount(2);
    }

    [Fact]
    public async Task Refreshes_each_tenant_in_the_background_and_waits_only_after_expiry()
    {
        var credential = MultiTenant();
        var first = await credential.GetTokenAsync(Contoso, TestOptions.Scope);

        _time.Advance(TimeSpan.FromMinutes(31));
        credential.GetTokenAsync(Contoso, TestOptions.Scope).Synchronously().Should().Be(first, "no caller waits while a valid token exists");
        await Eventually.TrueAsync(() => credential.GetTokenAsync(Contoso, TestOptions.Scope).Synchronously().Token != first.Token, "the background refresh replaces the token");
        _entra.Service.TokenRequestCount.Should().Be(2);

        var refreshed = credential.GetTokenAsync(Contoso, TestOptions.Scope).Synchronously();
        _time.Advance(TimeSpan.FromHours(2));
        var lookup = credential.GetTokenAsync(Contoso, TestOptions.Scope);
        var after = await lookup;
        after.Token.Should().NotBe(refreshed.Token, "an expired token is never served");
        after.ExpiresOn.Should().BeAfter(_time.GetUtcNow());
        _entra.Service.TokenRequestCount.Should().Be(3);
    }

    [Fact]
    public async Task Refuses_a_tenant_alias_or_a_scope_without_default_with_the_fix()
    {
        var credential = MultiTenant();

        var alias = await FluentActions.Awaiting(() => credential.GetTokenAsync("common", TestOptions.Scope).AsTask())
            .Should().ThrowAsync<CertificateCredentialException>();
        alias.Which.Failure.Should().Be(CertificateCredentialFailure.InvalidOptions);
        alias.Which.Message.Should().StartWith("Tenant 'common' with scope 'https://graph.microsoft.com/.default' cannot be served: ").And.Contain("AADSTS9001023");

        var scope = await FluentActions.Awaiting(() => credential.GetTokenAsync(Contoso, "https://graph.microsoft.com").AsTask())
            .Should().ThrowAsync<CertificateCredentialException>();
        scope.Which.Message.Should().Contain("Use https://graph.microsoft.com/.default");

        var notATenant = await FluentActions.Awaiting(() => credential.GetTokenAsync("contoso", TestOptions.Scope).AsTask())
            .Should().ThrowAsync<CertificateCredentialException>();
        notATenant.Which.Message.Should().Contain("neither a GUID nor a domain name");

        var huge = await FluentActions.Awaiting(() => credential.GetTokenAsync(new string('a', 100_000) + ".com", TestOptions.Scope).AsTask())
            .Should().ThrowAsync<CertificateCredentialException>();
        huge.Which.Message.Should().Contain("a tenant of 100004 characters").And.NotContain("aaaaaaaaaa");
        huge.Which.Message.Length.Should().BeLessThan(400, "a long input is described, not echoed");

        _entra.Service.TokenRequestCount.Should().Be(0, "nothing is sent for a refused tenant or scope");
        FluentActions.Invoking(() => credential.GetTokenAsync(null!, TestOptions.Scope)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => credential.GetTokenAsync(Contoso, null!)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public async Task A_whole_token_endpoint_fixes_the_tenant_but_not_the_scope()
    {
        var credential = _entra.Credential();

        var other = await FluentActions.Awaiting(() => credential.GetTokenAsync(Contoso, TestOptions.Scope).AsTask())
            .Should().ThrowAsync<CertificateCredentialException>();
        other.Which.Message.Should().Contain("Set AuthorityHost instead of TokenEndpoint");

        var myApi = await credential.GetTokenAsync(TestOptions.TenantId, MyApi + "/.default");
        (await Validate(myApi, TestOptions.TenantId, MyApi)).Should().BeTrue();
    }

    [Fact]
    public async Task A_failure_in_one_tenant_leaves_the_others_served()
    {
        var credential = MultiTenant(o => o.MaxRetries = 0);
        var contoso = await credential.GetTokenAsync(Contoso, TestOptions.Scope);

        const string Unregistered = "99999999-9999-4999-8999-999999999999";
        var failure = await FluentActions.Awaiting(() => credential.GetTokenAsync(Unregistered, TestOptions.Scope).AsTask())
            .Should().ThrowAsync<TokenEndpointException>();
        failure.Which.Message.Should().NotBeNullOrWhiteSpace();

        credential.GetTokenAsync(Contoso, TestOptions.Scope).Synchronously().Should().Be(contoso);
    }

    [Fact]
    public async Task InvalidateToken_drops_another_tenants_token()
    {
        var credential = MultiTenant();
        var first = await credential.GetTokenAsync(Fabrikam, TestOptions.Scope);

        credential.InvalidateToken(first.Token).Should().BeTrue();
        credential.InvalidateToken(first.Token).Should().BeFalse("it is gone");
        var next = await credential.GetTokenAsync(Fabrikam, TestOptions.Scope);
        next.Token.Should().NotBe(first.Token);
        _entra.Service.TokenRequestCount.Should().Be(2);
    }

    [Fact]
    public async Task After_disposal_every_tenant_is_refused_as_disposed()
    {
        var credential = MultiTenant();
        await credential.GetTokenAsync(Contoso, TestOptions.Scope);
        credential.Dispose();

        foreach (var tenant in new[] { Contoso, Fabrikam, TestOptions.TenantId })
        {
            var e = await FluentActions.Awaiting(() => credential.GetTokenAsync(tenant, TestOptions.Scope).AsTask())
                .Should().ThrowAsync<CertificateCredentialException>();
            e.Which.Failure.Should().Be(CertificateCredentialFailure.Disposed);
        }

        var disposedFirst = MultiTenant();
        disposedFirst.Dispose();
        (await FluentActions.Awaiting(() => disposedFirst.GetTokenAsync(Contoso, TestOptions.Scope).AsTask())
            .Should().ThrowAsync<CertificateCredentialException>()).Which.Failure.Should().Be(CertificateCredentialFailure.Disposed);
    }

    [Fact]
    public async Task Caps_the_number_of_tenants_and_scopes_one_credential_holds()
    {
        var settings = CredentialSettings.From(TestOptions.Rsa2048(o => o.AuthorityHost = _entra.Service.BaseAddress));
        var logger = NullLogger.Instance;
        TokenCache Cache(CredentialSettings s, Action<CachedToken?>? changed) =>
            new((_, _) => Task.FromException<TokenResponse>(new InvalidOperationException("no token endpoint in this test")), s, _time, logger, changed);
        using var own = Cache(settings, null);
        using var caches = new TenantCaches(settings, own, _entra.Service.BaseAddress, Cache, _time, logger, maxKeys: 3);

        foreach (var tenant in new[] { Contoso, Fabrikam })
        {
            (await FluentActions.Awaiting(() => caches.GetAsync(tenant, TestOptions.Scope, CancellationToken.None).AsTask())
                .Should().ThrowAsync<TokenEndpointException>("accepted, then sent to the acquire function of this test"))
                .Which.InnerException.Should().BeOfType<InvalidOperationException>();
        }

        var refused = caches.GetAsync("12345678-1234-4234-8234-123456789012", TestOptions.Scope, CancellationToken.None);

        var e = await FluentActions.Awaiting(() => refused.AsTask()).Should().ThrowAsync<CertificateCredentialException>();
        e.Which.Message.Should().Contain("already serves 3 tenant and scope combinations").And.Contain("check them against your own list");
        caches.Count.Should().Be(2);
    }

    [Fact]
    public async Task A_resolved_tenant_serves_its_token_and_shares_the_cache_of_the_keyed_call()
    {
        var credential = MultiTenant();
        var contoso = credential.ForTenant(" " + Contoso.ToUpperInvariant(), TestOptions.Scope);
        _entra.Service.TokenRequestCount.Should().Be(0, "resolving checks, it sends nothing");
        contoso.TenantId.Should().Be(Contoso.ToUpperInvariant());
        contoso.Scope.Should().Be(TestOptions.Scope);
        contoso.ToString().Should().Be($"TenantCredential {{ TenantId = {Contoso.ToUpperInvariant()}, Scope = {TestOptions.Scope} }}");

        var token = await contoso.GetTokenAsync();
        (await Validate(token, Contoso, LocalEntra.Resource)).Should().BeTrue();
        for (var i = 0; i < 100; i++)
        {
            contoso.GetTokenAsync().Synchronously().Should().Be(token);
        }

        credential.GetTokenAsync(Contoso, TestOptions.Scope).Synchronously().Should().Be(token);
        credential.ForTenant(Contoso, TestOptions.Scope).Should().Be(contoso, "every spelling of the pair resolves to the same cache");
        (credential.ForTenant(Fabrikam, TestOptions.Scope) != contoso).Should().BeTrue();
        _entra.Service.TokenRequestCount.Should().Be(1);
    }

    [Fact]
    public async Task A_resolved_tenant_is_refreshed_in_the_background_and_fails_once_the_credential_is_disposed()
    {
        var credential = MultiTenant();
        var fabrikam = credential.ForTenant(Fabrikam, TestOptions.Scope);
        var first = await fabrikam.GetTokenAsync();

        _time.Advance(TimeSpan.FromMinutes(31));
        fabrikam.GetTokenAsync().Synchronously().Should().Be(first);
        await Eventually.TrueAsync(() => fabrikam.GetTokenAsync().Synchronously().Token != first.Token, "the background refresh replaces the token");

        credential.Dispose();
        (await FluentActions.Awaiting(() => fabrikam.GetTokenAsync().AsTask()).Should().ThrowAsync<CertificateCredentialException>())
            .Which.Failure.Should().Be(CertificateCredentialFailure.Disposed);
        FluentActions.Invoking(() => credential.ForTenant(Contoso, TestOptions.Scope)).Should().Throw<CertificateCredentialException>()
            .Which.Failure.Should().Be(CertificateCredentialFailure.Disposed);
    }

    [Fact]
    public async Task The_configured_pair_resolves_to_the_credentials_own_cache()
    {
        var credential = MultiTenant();
        var own = credential.ForTenant(TestOptions.TenantId, TestOptions.Scope);
        var token = await own.GetTokenAsync();

        credential.GetTokenAsync().Synchronously().Should().Be(token);
        credential.CachedToken.Should().Be(token);
        _entra.Service.TokenRequestCount.Should().Be(1);
    }

    [Fact]
    public void Resolving_refuses_an_unusable_tenant_at_once_and_the_default_value_says_how_to_get_one()
    {
        var credential = MultiTenant();
        FluentActions.Invoking(() => credential.ForTenant("organizations", TestOptions.Scope)).Should().Throw<CertificateCredentialException>()
            .Which.Message.Should().Contain("AADSTS9001023");

        var none = default(TenantCredential);
        none.TenantId.Should().BeEmpty();
        FluentActions.Invoking(() => none.GetTokenAsync()).Should().Throw<InvalidOperationException>()
            .WithMessage("*CertificateClientCredential.ForTenant(tenantId, scope)*");
    }

    [Fact]
    public async Task Refreshes_another_tenant_with_claims_bypassing_only_that_tenants_cache()
    {
        var credential = MultiTenant(o => o.EnableContinuousAccessEvaluation = true);
        var own = await credential.GetTokenAsync();
        var first = await credential.GetTokenAsync(Contoso, TestOptions.Scope);
        var challenge = "{\"access_token\":{\"nbf\":{\"essential\":true,\"value\":\"" + _time.GetUtcNow().ToUnixTimeSeconds() + "\"}}}";

        var second = await credential.RefreshTokenAsync(Contoso, TestOptions.Scope, challenge);

        second.Token.Should().NotBe(first.Token);
        var request = _entra.Service.Requests[^1];
        request.Tenant.Should().Be(Contoso);
        request.Form["claims"].Should().Contain("cp1").And.Contain("\"nbf\"");
        (await credential.GetTokenAsync(Contoso, TestOptions.Scope)).Should().Be(second, "the challenge's token replaces that pair's cached one");
        (await credential.GetTokenAsync()).Should().Be(own, "the configured pair keeps its own token");
        _entra.Service.TokenRequestCount.Should().Be(3);
    }

    [Fact]
    public async Task Refreshing_an_unusable_tenant_or_scope_is_refused_before_anything_is_sent()
    {
        var credential = MultiTenant();

        await FluentActions.Awaiting(() => credential.RefreshTokenAsync("common", TestOptions.Scope))
            .Should().ThrowAsync<CertificateCredentialException>().WithMessage("*common*");
        await FluentActions.Awaiting(() => credential.RefreshTokenAsync(Contoso, "https://graph.microsoft.com"))
            .Should().ThrowAsync<CertificateCredentialException>().WithMessage("*/.default*");
        _entra.Service.TokenRequestCount.Should().Be(0);
    }

    private CertificateClientCredential MultiTenant(Action<CertificateClientCredentialOptions>? change = null) =>
        _entra.Credential(o =>
        {
            o.TokenEndpoint = null;
            o.AuthorityHost = _entra.Service.BaseAddress;
            change?.Invoke(o);
        });

    private async Task<bool> Validate(AccessToken token, string tenant, string audience)
    {
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token.Token, _entra.Service.CreateValidationParameters(tenant, audience));
        return result.IsValid;
    }
}
