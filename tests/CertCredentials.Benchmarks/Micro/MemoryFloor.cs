namespace CertCredentials.Benchmarks.Micro;

/// <summary>
/// The reference of the many-tokens benchmark: what a cached lookup costs when it touches only one or two small
/// objects per tenant, spaced in the heap as far apart as credentials are (about 6.6 KiB of managed memory per
/// credential, measured) and visited in random order. A lookup reads the clock (as every cache must, to check
/// expiry) and returns a token struct: from the holder itself (one object) or through a second object it points to
/// (a holder and an immutable token entry: the shape of CertCredentials' lock-free cache, minus everything else).
/// The gap between this and CertCredentials is what the library's hot path adds by touching more memory.
/// </summary>
internal sealed class MemoryFloor
{
    private const int Spacing = 6_800;
    private readonly Holder[] _holders;
    private readonly List<byte[]> _spacers = [];

    public MemoryFloor(int count)
    {
        _holders = new Holder[count];
        for (var i = 0; i < count; i++)
        {
            _holders[i] = new Holder(i);
            _spacers.Add(new byte[Spacing]);
        }

        // The entries come later, as tokens do (acquired after the credentials are built), spaced alike.
        for (var i = 0; i < count; i++)
        {
            _holders[i].Entry = new Entry(_holders[i].Token);
            _spacers.Add(new byte[Spacing]);
        }

        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);

        // Index order must not be memory order: the caller visits them in its own order, not the allocator's.
        new Random(11).Shuffle(_holders);

        _slots = new Slot[count];
        for (var i = 0; i < count; i++)
        {
            _slots[i] = new Slot { Token = $"token-{i}", ExpiresOnTicks = DateTimeOffset.MaxValue.UtcTicks, UsableUntilTicks = long.MaxValue };
        }
    }

    private readonly Slot[] _slots;

    public int Count => _holders.Length;

    public AccessToken OneObject(int i)
    {
        var now = TimeProvider.System.GetUtcNow();
        var holder = _holders[i];
        return now < holder.UsableUntil ? holder.Token : default;
    }

    public AccessToken TwoObjects(int i)
    {
        var now = TimeProvider.System.GetUtcNow();
        var entry = _holders[i].Entry;
        return now < entry.UsableUntil ? entry.Token : default;
    }

    /// <summary>
    /// A dense table: every tenant's hot state inline in one array of structs (40 B each, 400 KB for 10,000: inside
    /// L2), read under a sequence number as a lock-free multi-tenant cache would; the token string is returned by
    /// reference, never read. What a one-credential-many-tenants design could reach.
    /// </summary>
    public AccessToken DenseTable(int i)
    {
        var now = TimeProvider.System.GetUtcNow().UtcTicks;
        ref var slot = ref _slots[i];
        while (true)
        {
            var version = Volatile.Read(ref slot.Version);
            var token = Volatile.Read(ref slot.Token);
            var usableUntil = Volatile.Read(ref slot.UsableUntilTicks);
            var expiresOn = Volatile.Read(ref slot.ExpiresOnTicks);
            if ((version & 1) == 0 && Volatile.Read(ref slot.Version) == version)
            {
                return now < usableUntil ? new AccessToken(token!, new DateTimeOffset(expiresOn, TimeSpan.Zero)) : default;
            }
        }
    }

    private struct Slot
    {
        public int Version;
        public string? Token;
        public long UsableUntilTicks;
        public long ExpiresOnTicks;
    }

    private sealed class Holder(int i)
    {
        public AccessToken Token { get; } = new($"token-{i}", DateTimeOffset.MaxValue);

        public DateTimeOffset UsableUntil { get; } = DateTimeOffset.MaxValue;

        public Entry Entry { get; set; } = null!;
    }

    private sealed class Entry(AccessToken token)
    {
        public AccessToken Token { get; } = token;

        public DateTimeOffset UsableUntil { get; } = DateTimeOffset.MaxValue;
    }
}
