using CertCredentials.Tests.Infrastructure;

namespace CertCredentials.Tests.SharedCache;

/// <summary>
/// The core's side of a shared token store, with a store in memory: what reaches the store, what two credentials
/// sharing it send, and that a failing store never fails a caller. (Redis itself: CertCredentials.StackExchangeRedis.Tests.)
/// </summary>
public sealed class SharedTokenStoreTests : IAsyncLifetime
{
    private LocalEntra _entra = null!;

    public async Task InitializeAsync() => _entra = await LocalEntra.StartAsync();

    public async Task DisposeAsync() => await _entra.DisposeAsync();

    [Fact]
    public async Task Two_credentials_sharing_a_store_send_one_token_request_and_the_store_holds_no_token()
    {
        var store = new MemoryTokenStore();
        var first = await _entra.Credential(o => o.SharedTokenStore = store).GetTokenAsync();
        var second = await _entra.Credential(o => o.SharedTokenStore = store).GetTokenAsync();

        second.Token.Should().Be(first.Token);
        second.RefreshOn.Should().Be(first.RefreshOn, "the schedule comes from the original lifetime");
        _entra.Service.TokenRequestCount.Should().Be(1);
        var entry = store.Entries.Should().ContainSingle().Subject;
        entry.Key.Should().NotContain(TestOptions.TenantId).And.NotContain(TestOptions.ClientId);
        System.Text.Encoding.Latin1.GetString(entry.Value).Should().NotContain(first.Token[..20]);
    }

    [Fact]
    public async Task A_cached_lookup_never_calls_the_store()
    {
        var store = new MemoryTokenStore();
        var credential = _entra.Credential(o => o.SharedTokenStore = store);
        await credential.GetTokenAsync();
        var calls = store.Calls;

        for (var i = 0; i < 100; i++)
        {
            await credential.GetTokenAsync();
        }

        store.Calls.Should().Be(calls);
    }

    [Fact]
    public async Task A_failing_store_leaves_callers_served_and_the_health_check_says_why()
    {
        var store = new MemoryTokenStore { Failure = new InvalidOperationException("the store is broken") };
        var credential = _entra.Credential(o => o.SharedTokenStore = store);

        (await credential.GetTokenAsync()).Token.Should().NotBeNullOrEmpty();
        credential.SharedTokenStoreProblem.Should().Contain("the store is broken");

        store.Failure = null;
        await credential.RefreshTokenAsync();
        credential.SharedTokenStoreProblem.Should().BeNull("the store answered again");
    }

    [Fact]
    public async Task Credentials_with_different_client_capabilities_do_not_share()
    {
        var store = new MemoryTokenStore();
        await _entra.Credential(o => o.SharedTokenStore = store).GetTokenAsync();
        await _entra.Credential(o => { o.SharedTokenStore = store; o.EnableContinuousAccessEvaluation = true; }).GetTokenAsync();

        _entra.Service.TokenRequestCount.Should().Be(2, "the cp1 claims are part of an entry's identity");
        store.Entries.Should().HaveCount(2);
    }
}
