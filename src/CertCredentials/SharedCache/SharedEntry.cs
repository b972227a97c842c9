using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace CertCredentials.SharedCache;

/// <summary>
/// The format of a shared entry: <c>version (1) | nonce (12) | tag (16) | AES-256-GCM ciphertext</c>, the entry's
/// identity (endpoint, tenant, client, scope, client claims) as associated data. The plaintext keeps the token's
/// original moment and lifetimes (<c>acquired at | expires_in | refresh_in</c>, ticks, then the token), so every
/// reader computes the margin and refresh schedule from the token's original lifetime, not from what is left.
/// An entry copied under another name, written under another key or changed in one bit does not open.
/// </summary>
internal static class SharedEntry
{
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int HeaderSize = 1 + NonceSize + TagSize;
    private const int FixedPlaintext = 3 * sizeof(long);

    /// <summary>Bounds what a hostile store can make a reader allocate (a token is a few KB; 64 KB is far past any).</summary>
    public const int MaxSize = 64 * 1024;

    public static byte[] Seal(SharedEntryKeys keys, string identity, string accessToken, DateTimeOffset acquiredAt, TimeSpan expiresIn, TimeSpan? refreshIn)
    {
        var tokenLength = Encoding.UTF8.GetByteCount(accessToken);
        var plaintext = new byte[FixedPlaintext + tokenLength];
        BinaryPrimitives.WriteInt64LittleEndian(plaintext, acquiredAt.UtcTicks);
        BinaryPrimitives.WriteInt64LittleEndian(plaintext.AsSpan(8), expiresIn.Ticks);
        BinaryPrimitives.WriteInt64LittleEndian(plaintext.AsSpan(16), refreshIn?.Ticks ?? -1);
        Encoding.UTF8.GetBytes(accessToken, plaintext.AsSpan(FixedPlaintext));

        var entry = new byte[HeaderSize + plaintext.Length];
        entry[0] = Version;
        var nonce = entry.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using (var aes = new AesGcm(keys.EncryptionKey, TagSize))
        {
            aes.Encrypt(nonce, plaintext, entry.AsSpan(HeaderSize), entry.AsSpan(1 + NonceSize, TagSize), Encoding.UTF8.GetBytes(identity));
        }

        CryptographicOperations.ZeroMemory(plaintext);
        return entry;
    }

    /// <summary>Opens an entry; false (with the reason, no secret in it) when it is not one this identity and key wrote.</summary>
    public static bool TryOpen(SharedEntryKeys keys, string identity, ReadOnlySpan<byte> entry, out Opened opened, out string? reason)
    {
        opened = default;
        if (entry.Length < HeaderSize + FixedPlaintext + 1 || entry.Length > MaxSize)
        {
            reason = $"{entry.Length} bytes, not an entry";
            return false;
        }

        if (entry[0] != Version)
        {
            reason = $"format version {entry[0]}, this version reads {Version}";
            return false;
        }

        var plaintext = new byte[entry.Length - HeaderSize];
        try
        {
            using (var aes = new AesGcm(keys.EncryptionKey, TagSize))
            {
                aes.Decrypt(entry.Slice(1, NonceSize), entry[HeaderSize..], entry.Slice(1 + NonceSize, TagSize), plaintext, Encoding.UTF8.GetBytes(identity));
            }
        }
        catch (AuthenticationTagMismatchException)
        {
            reason = "it does not authenticate: written under another certificate's key or for another application, tenant or scope, or changed";
            return false;
        }

        var acquiredTicks = BinaryPrimitives.ReadInt64LittleEndian(plaintext);
        var expiresIn = BinaryPrimitives.ReadInt64LittleEndian(plaintext.AsSpan(8));
        var refreshIn = BinaryPrimitives.ReadInt64LittleEndian(plaintext.AsSpan(16));
        if (acquiredTicks < DateTimeOffset.MinValue.UtcTicks || acquiredTicks > DateTimeOffset.MaxValue.UtcTicks - TimeSpan.TicksPerDay
            || expiresIn <= 0 || expiresIn > TimeSpan.TicksPerDay || refreshIn < -1 || refreshIn > expiresIn)
        {
            // Authenticated, so written by a holder of the key: a defect, not an attack; still never trusted.
            reason = "its lifetimes are out of range";
            CryptographicOperations.ZeroMemory(plaintext);
            return false;
        }

        opened = new Opened(
            Encoding.UTF8.GetString(plaintext.AsSpan(FixedPlaintext)),
            new DateTimeOffset(acquiredTicks, TimeSpan.Zero),
            TimeSpan.FromTicks(expiresIn),
            refreshIn < 0 ? null : TimeSpan.FromTicks(refreshIn));
        CryptographicOperations.ZeroMemory(plaintext);
        reason = null;
        return true;
    }

    /// <summary>What an entry holds.</summary>
    internal readonly record struct Opened(string AccessToken, DateTimeOffset AcquiredAt, TimeSpan ExpiresIn, TimeSpan? RefreshIn)
    {
        /// <summary>Never shows the token.</summary>
        public override string ToString() => $"Opened {{ AcquiredAt = {AcquiredAt:O}, ExpiresIn = {ExpiresIn}, RefreshIn = {RefreshIn} }}";
    }
}
