using System.Text;
using CertCredentials.StackExchangeRedis.Tests.Infrastructure;
using Microsoft.IdentityModel.Tokens;

namespace CertCredentials.StackExchangeRedis.Tests.SharedCache;

/// <summary>What instances sharing one Redis see of each other's tokens, and what Redis sees of them.</summary>
public sealed class SharingTests : IAsyncLifetime
{
    private RedisServer _redis = null!;
    private Fleet _fleet = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _fleet = await Fleet.StartAsync(tenants: 3);
    }

    public async Task DisposeAsync()
    {
        await _fleet.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task A_second_instance_takes_the_token_from_redis_with_its_original_schedule()
    {
        var first = await _fleet.Instance(_redis.Configuration).GetTokenAsync();
        var second = await _fleet.Instance(_redis.Configuration).GetTokenAsync();

        _fleet.Service.TokenRequestCount.Should().Be(1);
        second.Token.Should().Be(first.Token);
        second.ExpiresOn.Should().Be(first.ExpiresOn, "the lifetime counts from the original request, not from the read");
        second.RefreshOn.Should().Be(first.RefreshOn, "every instance refreshes on the original schedule");
        _fleet.Logs.WithId(1403).Should().ContainSingle("the second instance says where its token came from");
    }

    [Fact]
    public async Task Two_applications_sharing_one_redis_and_prefix_never_see_each_others_tokens()
    {
        using var other = AppIdentity.Create();
        _fleet.Register(other);

        var mine = await _fleet.Instance(_redis.Configuration).GetTokenAsync();
        var theirs = await _fleet.Instance(_redis.Configuration, app: other).GetTokenAsync();
        var mineAgain = await _fleet.Instance(_redis.Configuration).GetTokenAsync();
        var theirsAgain = await _fleet.Instance(_redis.Configuration, app: other).GetTokenAsync();

        Tokens.Read(mine.Token).ClientId.Should().Be(_fleet.App.ClientId);
        Tokens.Read(theirs.Token).ClientId.Should().Be(other.ClientId);
        (mineAgain.Token == mine.Token).Should().BeTrue("each app shares within itself");
        (theirsAgain.Token == theirs.Token).Should().BeTrue();
        _fleet.Service.TokenRequestCount.Should().Be(2);

        // Copy the other app's entry over this app's: it does not open under this app's identity and key.
        var entries = (await _redis.ReadAllAsync()).Where(e => !e.Key.EndsWith(":lease", StringComparison.Ordinal)).ToList();
        entries.Should().HaveCount(2);
        foreach (var (key, _) in entries)
        {
            await _redis.ExecuteAsync("SET", key, entries.Single(e => e.Key != key).Value);
        }

        var afterSwap = await _fleet.Instance(_redis.Configuration).GetTokenAsync();
        Tokens.Read(afterSwap.Token).ClientId.Should().Be(_fleet.App.ClientId, "a foreign entry is refused, never served");
        _fleet.Service.TokenRequestCount.Should().Be(3);
        _fleet.Logs.WithId(1402).Should().NotBeEmpty();
    }

    [Fact]
    public async Task No_token_tenant_or_client_reaches_redis_in_plaintext()
    {
        var tokens = new List<string>();
        var instance = _fleet.Instance(_redis.Configuration);
        foreach (var tenant in _fleet.Tenants)
        {
            tokens.Add((await instance.GetTokenAsync(tenant, Fleet.Scope)).Token);
        }

        var all = await _redis.ReadAllAsync();
        all.Should().HaveCount(_fleet.Tenants.Count);
        var stored = string.Join("\n", all.Select(e => e.Key + "=" + Encoding.Latin1.GetString(e.Value) + "=" + Convert.ToBase64String(e.Value)));
        foreach (var token in tokens)
        {
            // Any 16-character run of the token, or of its decoded payload, would be a leak.
            var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(token.Split('.')[1]));
            foreach (var text in new[] { token, payload })
            {
                for (var i = 0; i + 16 <= text.Length; i += 8)
                {
                    stored.Contains(text.Substring(i, 16), StringComparison.Ordinal).Should().BeFalse("Redis must hold no run of a token in plaintext");
                }
            }
        }

        foreach (var identifier in _fleet.Tenants.Append(_fleet.App.ClientId).Append("graph.microsoft.com"))
        {
            stored.Contains(identifier, StringComparison.OrdinalIgnoreCase).Should().BeFalse("entry names are keyed hashes: Redis learns no tenant, client or scope");
        }
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("tampered")]
    [InlineData("truncated")]
    public async Task Garbage_or_tampered_entries_are_refused_and_replaced(string damage)
    {
        var first = await _fleet.Instance(_redis.Configuration).GetTokenAsync();
        var (key, value) = (await _redis.ReadAllAsync()).Single();
        var damaged = damage switch
        {
            "garbage" => Encoding.UTF8.GetBytes("not an entry at all, but the same length roughly" + new string('x', value.Length)),
            "tampered" => Flip(value, value.Length - 20),
            _ => value[..40],
        };
        await _redis.ExecuteAsync("SET", key, damaged);

        var second = await _fleet.Instance(_redis.Configuration).GetTokenAsync();

        (second.Token == first.Token).Should().BeFalse("a damaged entry is never served");
        _fleet.Service.TokenRequestCount.Should().Be(2);
        _fleet.Logs.WithId(1402).Should().ContainSingle();
        var third = await _fleet.Instance(_redis.Configuration).GetTokenAsync();
        (third.Token == second.Token).Should().BeTrue("the new token replaced the damaged entry");
        _fleet.Service.TokenRequestCount.Should().Be(2);
    }

    [Fact]
    public async Task Invalidating_a_rejected_token_removes_it_for_every_instance()
    {
        var first = _fleet.Instance(_redis.Configuration);
        var second = _fleet.Instance(_redis.Configuration);
        var token = await first.GetTokenAsync();
        (await second.GetTokenAsync()).Token.Should().Be(token.Token);

        second.InvalidateToken(token.Token).Should().BeTrue();
        await Eventually.TrueAsync(async () => (await _redis.ReadAllAsync()).Count == 0, "the rejected token's entry is removed from Redis");

        var fresh = await _fleet.Instance(_redis.Configuration).GetTokenAsync();
        (fresh.Token == token.Token).Should().BeFalse();
        var again = await second.GetTokenAsync();
        (again.Token == fresh.Token).Should().BeTrue("the instance that dropped it takes the new one from Redis");
        _fleet.Service.TokenRequestCount.Should().Be(2);
    }

    [Fact]
    public async Task A_forced_refresh_replaces_the_shared_entry()
    {
        var first = _fleet.Instance(_redis.Configuration);
        var old = await first.GetTokenAsync();
        var refreshed = await first.RefreshTokenAsync();

        var later = await _fleet.Instance(_redis.Configuration).GetTokenAsync();

        (refreshed.Token == old.Token).Should().BeFalse();
        (later.Token == refreshed.Token).Should().BeTrue("the new instance reads the replaced entry");
        _fleet.Service.TokenRequestCount.Should().Be(2);
    }

    [Fact]
    public async Task A_claims_challenge_requests_at_once_and_replaces_the_shared_entry()
    {
        const string Claims = "{\"access_token\":{\"nbf\":{\"essential\":true,\"value\":\"1700000000\"}}}";
        var first = _fleet.Instance(_redis.Configuration);
        var old = await first.GetTokenAsync();
        var second = _fleet.Instance(_redis.Configuration);
        (await second.GetTokenAsync()).Token.Should().Be(old.Token, "the second instance shares the first token");

        var answered = await first.RefreshTokenAsync(Claims);
        var later = await _fleet.Instance(_redis.Configuration).GetTokenAsync();

        (answered.Token == old.Token).Should().BeFalse("a claims challenge is answered with a new token, never the shared one");
        _fleet.Service.Requests[^1].Form.Should().ContainKey("claims", "the challenge's claims were sent to the token endpoint");
        (later.Token == answered.Token).Should().BeTrue("the challenge's token replaces the shared entry for the whole fleet");
        _fleet.Service.TokenRequestCount.Should().Be(2);
    }

    [Fact]
    public async Task With_a_remote_signer_the_entry_key_costs_one_signature_per_certificate_not_one_per_entry()
    {
        // A remote key signs the derivation label once, when it is loaded (that signature is also the check that the
        // signer's key is the certificate's); after that, each token request's assertion is its only signature.
        var writer = new SignerSource(_fleet.App);
        var first = _fleet.Instance(_redis.Configuration, change: o => UseSource(o, writer));
        foreach (var tenant in _fleet.Tenants)
        {
            await first.GetTokenAsync(tenant, Fleet.Scope);
        }

        writer.Signer.Calls.Should().Be(1 + _fleet.Tenants.Count, "one signature for the entry key, one assertion per token request");

        var reader = new SignerSource(_fleet.App);
        var second = _fleet.Instance(_redis.Configuration, change: o => UseSource(o, reader));
        var requests = _fleet.Service.TokenRequestCount;
        foreach (var tenant in _fleet.Tenants)
        {
            await second.GetTokenAsync(tenant, Fleet.Scope);
        }

        _fleet.Service.TokenRequestCount.Should().Be(requests, "the second instance reads every tenant from Redis");
        reader.Signer.Calls.Should().Be(1, "one signature derives the entry key, whatever the number of entries read");
    }

    private static void UseSource(CertificateClientCredentialOptions options, CertificateSource source)
    {
        options.PrivateKey = null;
        options.Certificate = null;
        options.CertificateSource = source;
    }

    [Fact]
    public async Task After_a_certificate_rotation_entries_of_the_old_key_are_unreadable_and_fetched_again()
    {
        using var rotated = _fleet.App.Rotated();
        _fleet.Register(rotated);

        var old = await _fleet.Instance(_redis.Configuration).GetTokenAsync();
        var onNewKey = await _fleet.Instance(_redis.Configuration, app: rotated).GetTokenAsync();
        var onNewKeyToo = await _fleet.Instance(_redis.Configuration, app: rotated).GetTokenAsync();

        (onNewKey.Token == old.Token).Should().BeFalse("the new certificate derives another key: the old entry is not its to read");
        (onNewKeyToo.Token == onNewKey.Token).Should().BeTrue("holders of the new certificate share among themselves");
        _fleet.Service.TokenRequestCount.Should().Be(2);
    }

    [Fact]
    public async Task A_dead_lease_holder_is_replaced_when_its_lease_expires()
    {
        var (key, _) = await EntryKeyAsync();

        // A holder that took the lease and died: nobody releases it; it expires in 1.5 s.
        await _redis.ExecuteAsync("SET", key + ":lease", "dead-holder", "PX", "1500");
        var token = await _fleet.Instance(_redis.Configuration).GetTokenAsync();

        _fleet.Service.TokenRequestCount.Should().Be(2, "the waiter took the expired lease and requested once");
        Tokens.Read(token.Token).ClientId.Should().Be(_fleet.App.ClientId);
        _fleet.Logs.WithId(1404).Should().BeEmpty("it did not wait past RequestTimeout");
        (await _redis.ExecuteAsync("GET", key + ":lease")).IsNull.Should().BeTrue("it released its own lease");
    }

    [Fact]
    public async Task Nobody_waits_past_RequestTimeout_for_another_instances_lease()
    {
        var (key, _) = await EntryKeyAsync();
        await _redis.ExecuteAsync("SET", key + ":lease", "stuck-holder", "PX", "600000");

        var token = await _fleet.Instance(_redis.Configuration, o => o.RequestTimeout = TimeSpan.FromSeconds(1)).GetTokenAsync();

        Tokens.Read(token.Token).ClientId.Should().Be(_fleet.App.ClientId);
        _fleet.Service.TokenRequestCount.Should().Be(2);
        _fleet.Logs.WithId(1404).Should().ContainSingle();
        (await _redis.ExecuteAsync("GET", key + ":lease")).ToString().Should().Be("stuck-holder", "a lease is released only by its own holder");
    }

    /// <summary>The entry's key (learnt by letting one instance write it), then the entry removed so the next instance misses.</summary>
    private async Task<(string Key, byte[] Value)> EntryKeyAsync()
    {
        await _fleet.Instance(_redis.Configuration).GetTokenAsync();
        var entry = (await _redis.ReadAllAsync()).Single();
        await _redis.ExecuteAsync("DEL", entry.Key);
        return entry;
    }

    private static byte[] Flip(byte[] value, int index)
    {
        var copy = (byte[])value.Clone();
        copy[index] ^= 0x04;
        return copy;
    }
}
