namespace CertCredentials.Caching;

/// <summary>
/// The hot state of every (tenant, scope) one credential serves, packed densely so that a lookup among thousands
/// stays inside the CPU cache: an open-addressing index of structs, then a slot of plain fields read under a sequence
/// number. Objects per tenant (one cache each) would cost a cache miss each on every lookup (docs/benchmarks.md).
/// <list type="bullet">
/// <item>Reads are lock-free and allocate nothing. A slot being written, or changed during the read, is reported as a miss: the caller then asks the slot's <see cref="TokenCache"/>, which is always right.</item>
/// <item>Writes (<see cref="Add"/>, <see cref="Publish"/>) are serialised by the caller: adds under the credential's lock, publishes under the slot's cache lock.</item>
/// </list>
/// </summary>
internal sealed class TokenTable
{
    // 1,024 slots of 32 bytes: 32 KB, under the large-object threshold; few enough chunks that their headers (read
    // for the bounds check) stay in the CPU cache, so a lookup among thousands touches one slot's line and little else.
    private const int ChunkBits = 10;
    private const int ChunkSize = 1 << ChunkBits;

    // Slots live in fixed chunks that never move, so a publish never races a copy; only the small array of chunk
    // references is replaced when the table grows.
    private Slot[][] _chunks = [new Slot[ChunkSize]];
    private Index _index = new(16);
    private int _count;

    /// <summary>How many slots the table holds.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>How many keys (spellings of a tenant and scope) lead to the slots.</summary>
    public int Keys => Volatile.Read(ref _index).Used;

    /// <summary>The slot of (<paramref name="tenant"/>, <paramref name="scope"/>) as given, or -1.</summary>
    public int Find(string tenant, string scope)
    {
        var entries = Volatile.Read(ref _index).Entries;
        var mask = entries.Length - 1;
        var hash = Hash(tenant, scope);
        for (var i = hash & mask; ; i = (i + 1) & mask)
        {
            ref var entry = ref entries[i];
            var entryHash = Volatile.Read(ref entry.Hash);
            if (entryHash == 0)
            {
                return -1;
            }

            if (entryHash == hash && Same(entry.Tenant!, tenant) && Same(entry.Scope!, scope))
            {
                return entry.Slot;
            }
        }
    }

    /// <summary>
    /// The token in <paramref name="slot"/> if it can be served at <paramref name="nowTicks"/> (UTC ticks) without
    /// starting a refresh; false when there is none, it is in its refresh window or expired, or a write got in the way.
    /// </summary>
    public bool TryGetFresh(int slot, long nowTicks, out AccessToken token)
    {
        ref var s = ref Volatile.Read(ref _chunks)[slot >> ChunkBits][slot & (ChunkSize - 1)];

        // Every field is read with acquire semantics, so no read moves before the first version read or after the second.
        var version = Volatile.Read(ref s.Version);
        var value = Volatile.Read(ref s.Token);
        var expiresOn = Volatile.Read(ref s.ExpiresOnTicks);
        var refreshOn = Volatile.Read(ref s.RefreshOnTicks);
        var freshMilliseconds = Volatile.Read(ref s.FreshMilliseconds);
        if ((version & 1) != 0 || Volatile.Read(ref s.Version) != version || value is null
            || nowTicks >= expiresOn - (freshMilliseconds * TimeSpan.TicksPerMillisecond))
        {
            token = default;
            return false;
        }

        token = new AccessToken(value, new DateTimeOffset(expiresOn, TimeSpan.Zero)) { RefreshOn = new DateTimeOffset(refreshOn, TimeSpan.Zero) };
        return true;
    }

    /// <summary>Adds a key for <paramref name="slot"/> (a new slot: <see cref="NewSlot"/>, or another spelling of a known one). Caller holds the lock.</summary>
    public void Add(string tenant, string scope, int slot)
    {
        var index = _index;
        if ((index.Used + 1) * 4 > index.Entries.Length * 3)
        {
            // Rebuilt aside and published whole: readers keep probing the old one meanwhile.
            var grown = new Index(index.Entries.Length * 2);
            foreach (var entry in index.Entries)
            {
                if (entry.Hash != 0)
                {
                    grown.Insert(entry.Hash, entry.Tenant!, entry.Scope!, entry.Slot);
                }
            }

            grown.Insert(Hash(tenant, scope), tenant, scope, slot);
            Volatile.Write(ref _index, grown);
            return;
        }

        index.Insert(Hash(tenant, scope), tenant, scope, slot);
    }

    /// <summary>Reserves the next slot, empty. Caller holds the lock.</summary>
    public int NewSlot()
    {
        var slot = _count;
        var chunks = _chunks;
        if (slot >> ChunkBits == chunks.Length)
        {
            var more = new Slot[chunks.Length + 1][];
            Array.Copy(chunks, more, chunks.Length);
            more[chunks.Length] = new Slot[ChunkSize];
            Volatile.Write(ref _chunks, more);
        }

        Volatile.Write(ref _count, slot + 1);
        return slot;
    }

    /// <summary>Makes <paramref name="token"/> (or nothing) what <paramref name="slot"/> serves. Writes to one slot are serialised by its cache's lock.</summary>
    public void Publish(int slot, CachedToken? token)
    {
        ref var s = ref Volatile.Read(ref _chunks)[slot >> ChunkBits][slot & (ChunkSize - 1)];

        // Odd while writing; the full fence of the increment keeps the field writes after it.
        var version = Interlocked.Increment(ref s.Version);
        // Served from the table until the refresh moment or the usable end, whichever comes first, kept as milliseconds
        // before expiry rounded up (never later than the cache itself would serve), so that a slot fits in 32 bytes:
        // 10,000 of them and the callers' handles stay inside a 1 MB L2 cache. Anything unusual (a token type other
        // than Bearer, an absurd span) is not put in the table: its calls take the cache's path.
        var expiresOn = token?.Token.ExpiresOn.UtcTicks ?? 0;
        var freshTicks = token is null ? 0 : expiresOn - Math.Min(token.RefreshAt.UtcTicks, token.UsableUntil.UtcTicks);
        var freshMilliseconds = (freshTicks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond;
        var servable = token is not null && token.Token.TokenType == "Bearer" && freshTicks >= 0 && freshMilliseconds <= int.MaxValue;
        s.Token = servable ? token!.Token.Token : null;
        s.ExpiresOnTicks = expiresOn;
        s.RefreshOnTicks = token?.Token.RefreshOn.UtcTicks ?? 0;
        s.FreshMilliseconds = servable ? (int)freshMilliseconds : 0;
        Volatile.Write(ref s.Version, version + 1);
    }

    private static int Hash(string tenant, string scope)
    {
        // Randomised string hashes: keys chosen by callers cannot be made to collide on purpose.
        var hash = HashCode.Combine(string.GetHashCode(tenant, StringComparison.Ordinal), string.GetHashCode(scope, StringComparison.Ordinal)) & int.MaxValue;
        return hash == 0 ? 1 : hash; // 0 marks an empty entry
    }

    private static bool Same(string stored, string asked) => ReferenceEquals(stored, asked) || string.Equals(stored, asked, StringComparison.Ordinal);

    private struct Entry
    {
        public int Hash;
        public int Slot;
        public string? Tenant;
        public string? Scope;
    }

    /// <summary>32 bytes: the token, its two moments, the sequence number and how long before expiry it stops being served here.</summary>
    private struct Slot
    {
        public string? Token;
        public long ExpiresOnTicks;
        public long RefreshOnTicks;
        public int Version;
        public int FreshMilliseconds;
    }

    /// <summary>Open addressing with linear probing, at most three quarters full (compact, and every probe ends at an empty entry).</summary>
    private sealed class Index(int capacity)
    {
        public Entry[] Entries { get; } = new Entry[capacity];

        public int Used { get; private set; }

        public void Insert(int hash, string tenant, string scope, int slot)
        {
            var mask = Entries.Length - 1;
            var i = hash & mask;
            while (Entries[i].Hash != 0)
            {
                i = (i + 1) & mask;
            }

            ref var entry = ref Entries[i];
            entry.Tenant = tenant;
            entry.Scope = scope;
            entry.Slot = slot;

            // Last, with release semantics: a reader that sees the hash sees the rest.
            Volatile.Write(ref entry.Hash, hash);
            Used++;
        }
    }
}
