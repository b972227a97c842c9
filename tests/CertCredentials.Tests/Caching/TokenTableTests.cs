using System.Globalization;
using CertCredentials.Caching;
using CertCredentials.Configuration;
using CertCredentials.Tests.Infrastructure;
using CertCredentials.TokenEndpoint;

namespace CertCredentials.Tests.Caching;

/// <summary>The dense table behind <c>GetTokenAsync(tenant, scope)</c>: its index, its slots and its lock-free reads.</summary>
public sealed class TokenTableTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private static readonly CredentialSettings Settings = CredentialSettings.From(TestOptions.Rsa2048());

    [Fact]
    public void Finds_every_key_after_growing_past_its_first_index_and_slot_chunk()
    {
        var table = new TokenTable();
        for (var i = 0; i < 2_500; i++)
        {
            table.Add(Tenant(i), "scope", table.NewSlot());
        }

        table.Count.Should().Be(2_500);
        table.Keys.Should().Be(2_500);
        for (var i = 0; i < 2_500; i++)
        {
            table.Find(Tenant(i), "scope").Should().Be(i);
            table.Find(new string(Tenant(i).ToCharArray()), "scope").Should().Be(i, "keys are compared by value, not by reference");
        }

        table.Find(Tenant(2_500), "scope").Should().Be(-1);
        table.Find(Tenant(1), "other scope").Should().Be(-1);

        var cached = Token("in the third chunk", TimeSpan.FromHours(1));
        table.Publish(2_100, cached);
        table.TryGetFresh(2_100, Start.UtcTicks, out var token).Should().BeTrue();
        token.Should().Be(cached.Token);
        table.TryGetFresh(2_099, Start.UtcTicks, out _).Should().BeFalse("its neighbour was never published");
    }

    [Fact]
    public void Several_keys_may_lead_to_one_slot()
    {
        var table = new TokenTable();
        var slot = table.NewSlot();
        table.Add("contoso.onmicrosoft.com", "s", slot);
        table.Add("CONTOSO.onmicrosoft.com", "s", slot);

        table.Find("CONTOSO.onmicrosoft.com", "s").Should().Be(slot);
        table.Count.Should().Be(1);
        table.Keys.Should().Be(2);
    }

    [Fact]
    public void Serves_a_published_token_as_it_was_until_its_refresh_moment()
    {
        var table = new TokenTable();
        var slot = table.NewSlot();
        table.TryGetFresh(slot, Start.UtcTicks, out _).Should().BeFalse("nothing was published");

        var cached = Token("abc", lifetime: TimeSpan.FromHours(1));
        table.Publish(slot, cached);

        table.TryGetFresh(slot, Start.UtcTicks, out var token).Should().BeTrue();
        token.Should().Be(cached.Token);
        token.RefreshOn.Should().Be(cached.Token.RefreshOn);
        token.TokenType.Should().Be("Bearer");
        table.TryGetFresh(slot, cached.RefreshAt.UtcTicks - 1, out _).Should().BeTrue();
        table.TryGetFresh(slot, cached.RefreshAt.UtcTicks, out _).Should().BeFalse("from the refresh moment on, the cache decides (it starts the refresh)");

        table.Publish(slot, null);
        table.TryGetFresh(slot, Start.UtcTicks, out _).Should().BeFalse("an invalidated or disposed cache serves nothing");
    }

    [Fact]
    public void A_refresh_moment_moved_past_the_usable_end_still_stops_at_the_usable_end()
    {
        var table = new TokenTable();
        var slot = table.NewSlot();
        var cached = Token("abc", lifetime: TimeSpan.FromHours(1));
        table.Publish(slot, cached.WithRefreshAt(cached.UsableUntil.AddHours(1)));

        table.TryGetFresh(slot, cached.UsableUntil.UtcTicks - 1, out _).Should().BeTrue();
        table.TryGetFresh(slot, cached.UsableUntil.UtcTicks, out _).Should().BeFalse();
    }

    [Fact]
    public void A_refresh_moment_between_milliseconds_is_never_overstepped()
    {
        // The slot keeps the serving span in whole milliseconds, rounded towards the earlier moment.
        var table = new TokenTable();
        var slot = table.NewSlot();
        var cached = Token("abc", lifetime: TimeSpan.FromHours(1) + TimeSpan.FromTicks(3_333));
        (cached.RefreshAt.UtcTicks % TimeSpan.TicksPerMillisecond).Should().NotBe(0, "the case under test");
        table.Publish(slot, cached);

        table.TryGetFresh(slot, cached.RefreshAt.UtcTicks, out _).Should().BeFalse();
        table.TryGetFresh(slot, cached.RefreshAt.UtcTicks - 1, out _).Should().BeFalse("the span was rounded to the earlier millisecond");
        table.TryGetFresh(slot, cached.RefreshAt.UtcTicks - TimeSpan.TicksPerMillisecond, out var token).Should().BeTrue();
        token.Should().Be(cached.Token);
    }

    [Fact]
    public async Task Readers_never_see_one_tokens_value_with_another_tokens_times()
    {
        // Bounded: the writer publishes a fixed number of tokens; readers stop when it is done.
        var table = new TokenTable();
        var slot = table.NewSlot();
        table.Publish(slot, Token(Value(0), TimeSpan.FromHours(1)));
        var done = 0;
        var served = 0L;
        var servedWhileWriting = 0L;
        var inconsistent = 0L;

        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            while (Volatile.Read(ref done) == 0)
            {
                if (table.TryGetFresh(slot, Start.UtcTicks, out var token))
                {
                    Interlocked.Increment(ref served);
                    if (token.Token != Value(0))
                    {
                        Interlocked.Increment(ref servedWhileWriting);
                    }

                    var lifetime = TimeSpan.FromHours(1) + TimeSpan.FromSeconds(int.Parse(token.Token, CultureInfo.InvariantCulture));
                    if (token.ExpiresOn != Start + lifetime || token.RefreshOn != Start + (lifetime / 2))
                    {
                        Interlocked.Increment(ref inconsistent);
                    }
                }
            }
        })).ToArray();

        var writer = Task.Run(() =>
        {
            var tokens = Enumerable.Range(0, 1_000).Select(i => Token(Value(i), TimeSpan.FromHours(1) + TimeSpan.FromSeconds(i))).ToArray();
            SpinWait.SpinUntil(() => Interlocked.Read(ref served) > 0, TimeSpan.FromSeconds(10)); // the readers are running

            // At least 200,000 publishes, and on until the readers were served 1,000 times meanwhile (a loaded machine
            // may starve them at first), for 10 s at most.
            var writing = System.Diagnostics.Stopwatch.StartNew();
            for (var i = 0; (i < 200_000 || Interlocked.Read(ref servedWhileWriting) < 1_000) && writing.Elapsed < TimeSpan.FromSeconds(10); i++)
            {
                table.Publish(slot, tokens[i % tokens.Length]);
            }

            Volatile.Write(ref done, 1);
        });

        await Task.WhenAll(readers.Append(writer)).WaitAsync(TimeSpan.FromSeconds(60));
        inconsistent.Should().Be(0);
        servedWhileWriting.Should().BePositive("the readers were served while the writer ran");
    }

    private static string Value(int i) => i.ToString(CultureInfo.InvariantCulture);

    private static string Tenant(int i) => $"{i:D8}-0000-4000-8000-000000000000";

    private static CachedToken Token(string value, TimeSpan lifetime) =>
        CachedToken.From(new TokenResponse(value, lifetime, RefreshIn: null, "correlation", ClampedExpiresIn: null), Start, Settings);
}
