using System.Security.Cryptography;

namespace CertCredentials.Testing.KeyVault;

/// <summary>Key Vault's <c>sign</c>: the caller sends the digest, the vault signs it with the key it never hands out.</summary>
internal static class VaultSigner
{
    public static byte[]? Sign(VaultCertificate key, string algorithm, byte[] digest, out VaultError? refusal)
    {
        refusal = null;
        var (family, hash, length) = algorithm switch
        {
            "RS256" => ("RS", HashAlgorithmName.SHA256, 32),
            "RS384" => ("RS", HashAlgorithmName.SHA384, 48),
            "RS512" => ("RS", HashAlgorithmName.SHA512, 64),
            "PS256" => ("PS", HashAlgorithmName.SHA256, 32),
            "PS384" => ("PS", HashAlgorithmName.SHA384, 48),
            "PS512" => ("PS", HashAlgorithmName.SHA512, 64),
            "ES256" => ("ES", HashAlgorithmName.SHA256, 32),
            "ES384" => ("ES", HashAlgorithmName.SHA384, 48),
            "ES512" => ("ES", HashAlgorithmName.SHA512, 64),
            _ => (string.Empty, default, 0),
        };
        if (family.Length == 0)
        {
            refusal = VaultError.BadParameter($"'{algorithm}' is not a signing algorithm Key Vault knows.");
            return null;
        }

        if (digest.Length != length)
        {
            refusal = VaultError.BadParameter($"Invalid length of 'value': {digest.Length} bytes; {algorithm} signs a {length}-byte digest.");
            return null;
        }

        if (family == "ES")
        {
            if (key.Ec is null)
            {
                refusal = VaultError.IncompatibleKey(algorithm, VaultJson.KeyType(key));
                return null;
            }

            return key.Ec.SignHash(digest, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }

        if (key.Rsa is null)
        {
            refusal = VaultError.IncompatibleKey(algorithm, VaultJson.KeyType(key));
            return null;
        }

        return key.Rsa.SignHash(digest, hash, family == "PS" ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1);
    }
}
