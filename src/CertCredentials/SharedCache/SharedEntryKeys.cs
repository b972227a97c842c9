using System.Security.Cryptography;
using System.Text;

namespace CertCredentials.SharedCache;

/// <summary>
/// The two keys every holder of one certificate's private key derives alike, and nobody else can: HKDF-SHA256 over an
/// RS256 signature of a fixed label. One encrypts and authenticates entries (AES-256-GCM), the other names them (HMAC),
/// so the store learns neither tokens nor which tenant or scope an entry is for.
/// </summary>
internal sealed class SharedEntryKeys
{
    /// <summary>What the key signs. Changing it changes every derived key (a new format version would).</summary>
    /// <remarks>The signing identity's own label: its signature is made once per certificate (for a signer, as the check when it is taken).</remarks>
    internal static readonly byte[] Label = Lifecycle.SigningIdentity.StoreKeyLabel;

    private static readonly byte[] Salt = Encoding.ASCII.GetBytes("CertCredentials.SharedTokenStore");
    private static readonly byte[] Info = Encoding.ASCII.GetBytes("v1 entry encryption and naming");

    private readonly byte[] _encryptionKey;
    private readonly byte[] _namingKey;

    private SharedEntryKeys(string thumbprint, byte[] encryptionKey, byte[] namingKey)
    {
        Thumbprint = thumbprint;
        _encryptionKey = encryptionKey;
        _namingKey = namingKey;
    }

    /// <summary>The certificate whose key these come from.</summary>
    public string Thumbprint { get; }

    public ReadOnlySpan<byte> EncryptionKey => _encryptionKey;

    public static SharedEntryKeys Derive(string thumbprint, byte[] signature)
    {
        var okm = HKDF.DeriveKey(HashAlgorithmName.SHA256, signature, 64, Salt, Info);
        try
        {
            return new SharedEntryKeys(thumbprint, okm[..32], okm[32..]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(okm);
        }
    }

    /// <summary>The entry's name in the store: a keyed hash of its identity, base64url (43 characters).</summary>
    public string NameOf(string identity) =>
        Convert.ToBase64String(HMACSHA256.HashData(_namingKey, Encoding.UTF8.GetBytes(identity))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
