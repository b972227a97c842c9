using System.Security.Cryptography;
using System.Text;

namespace CertCredentials.Keys;

/// <summary>
/// Decrypts OpenSSL's traditional PEM encryption (<c>Proc-Type: 4,ENCRYPTED</c>, <c>DEK-Info: cipher,iv</c>), which
/// .NET does not read. The key comes from OpenSSL's EVP_BytesToKey: MD5, one iteration, the IV's first 8 bytes as salt.
/// </summary>
internal static class LegacyPemDecryptor
{
    private sealed record Cipher(string Name, int KeyBytes, int IvBytes, Func<SymmetricAlgorithm> Create);

#pragma warning disable CA5351 // DES and 3DES are what these legacy files are encrypted with; reading them is the point.
    private static readonly Cipher[] Ciphers =
    [
        new("AES-128-CBC", 16, 16, Aes.Create),
        new("AES-192-CBC", 24, 16, Aes.Create),
        new("AES-256-CBC", 32, 16, Aes.Create),
        new("DES-EDE3-CBC", 24, 8, TripleDES.Create),
        new("DES-CBC", 8, 8, DES.Create),
    ];
#pragma warning restore CA5351

    /// <summary>Returns the decrypted DER. The caller zeroes it once the key is imported.</summary>
    public static byte[] Decrypt(PemBlock block, string? passphrase, KeySource source)
    {
        var dekInfo = block.DekInfo
            ?? throw KeyErrors.Unreadable(source, $"the PEM block '{block.Label}' says Proc-Type: 4,ENCRYPTED but has no DEK-Info line naming its cipher");
        var comma = dekInfo.IndexOf(',', StringComparison.Ordinal);
        var cipherName = dekInfo[..comma];
        var cipher = Array.Find(Ciphers, c => c.Name == cipherName)
            ?? throw KeyErrors.EncryptionUnsupported(source, $"OpenSSL's legacy PEM encryption with {cipherName}");

        var ivHex = dekInfo[(comma + 1)..];
        if (ivHex.Length != cipher.IvBytes * 2)
        {
            throw KeyErrors.Unreadable(source, $"the DEK-Info IV for {cipher.Name} must be {cipher.IvBytes * 2} hex digits, and it has {ivHex.Length}");
        }

        var iv = Convert.FromHexString(ivHex);

        if (string.IsNullOrEmpty(passphrase))
        {
            throw KeyErrors.PassphraseRequired(source, $"a key encrypted with OpenSSL's legacy PEM encryption ({cipher.Name})");
        }

        var password = Encoding.UTF8.GetBytes(passphrase);
        var key = BytesToKey(password, iv.AsSpan(0, 8), cipher.KeyBytes);
        try
        {
            using var algorithm = cipher.Create();
            algorithm.Key = key;
            return algorithm.DecryptCbc(block.Der, iv, PaddingMode.PKCS7);
        }
        catch (CryptographicException e)
        {
            // Wrong passphrases show up as bad padding (or, for the rare key that survives it, as garbage DER later).
            throw KeyErrors.PassphraseIncorrect(source, $"the key (OpenSSL legacy PEM encryption, {cipher.Name})", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(password);
        }
    }

    public static string Describe(PemBlock block) =>
        $"OpenSSL legacy PEM encryption, {block.DekInfo?.Split(',')[0] ?? "unknown cipher"}";

    /// <summary>OpenSSL's EVP_BytesToKey with MD5 and one iteration: D_i = MD5(D_(i-1) || password || salt).</summary>
    internal static byte[] BytesToKey(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, int keyBytes)
    {
        var key = new byte[keyBytes];
        Span<byte> previous = stackalloc byte[16];
        var input = new byte[16 + password.Length + salt.Length];
        var filled = 0;
        var first = true;
        try
        {
            while (filled < keyBytes)
            {
                var offset = first ? 16 : 0;
                previous.CopyTo(input);
                password.CopyTo(input.AsSpan(16));
                salt.CopyTo(input.AsSpan(16 + password.Length));
#pragma warning disable CA5351 // MD5 is fixed by the OpenSSL format being read, not chosen.
                MD5.HashData(input.AsSpan(offset), previous);
#pragma warning restore CA5351
                var take = Math.Min(16, keyBytes - filled);
                previous[..take].CopyTo(key.AsSpan(filled));
                filled += take;
                first = false;
            }

            return key;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input);
            CryptographicOperations.ZeroMemory(previous);
        }
    }
}
