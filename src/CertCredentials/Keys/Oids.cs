namespace CertCredentials.Keys;

/// <summary>Object identifiers met while reading keys, and the words to say them in.</summary>
internal static class Oids
{
    public const string Rsa = "1.2.840.113549.1.1.1";
    public const string RsaPss = "1.2.840.113549.1.1.10";
    public const string EcPublicKey = "1.2.840.10045.2.1";
    public const string Ed25519 = "1.3.101.112";
    public const string Ed448 = "1.3.101.113";
    public const string X25519 = "1.3.101.110";
    public const string X448 = "1.3.101.111";
    public const string Dsa = "1.2.840.10040.4.1";
    public const string Pkcs7Data = "1.2.840.113549.1.7.1";
    public const string Pkcs7SignedData = "1.2.840.113549.1.7.2";

    public const string Pbes2 = "1.2.840.113549.1.5.13";
    public const string Pbkdf2 = "1.2.840.113549.1.5.12";
    public const string Scrypt = "1.3.6.1.4.1.11591.4.11";

    /// <summary>Names a key algorithm for a message, or null for RSA.</summary>
    public static string? NonRsaKeyName(string oid) => oid switch
    {
        Rsa => null,
        RsaPss => "an RSA-PSS-restricted key (made with 'openssl genpkey -algorithm RSA-PSS')",
        EcPublicKey => "an EC (ECDSA) key",
        Ed25519 => "an Ed25519 key",
        Ed448 => "an Ed448 key",
        X25519 => "an X25519 key",
        X448 => "an X448 key",
        Dsa => "a DSA key",
        _ => $"a key of algorithm {oid}",
    };

    /// <summary>Names a password-based encryption scheme, cipher or PRF for messages.</summary>
    public static string EncryptionName(string oid) => oid switch
    {
        Pbes2 => "PBES2",
        Pbkdf2 => "PBKDF2",
        Scrypt => "scrypt",
        "1.2.840.113549.2.7" => "HMAC-SHA1",
        "1.2.840.113549.2.9" => "HMAC-SHA256",
        "1.2.840.113549.2.10" => "HMAC-SHA384",
        "1.2.840.113549.2.11" => "HMAC-SHA512",
        "2.16.840.1.101.3.4.1.2" => "AES-128-CBC",
        "2.16.840.1.101.3.4.1.22" => "AES-192-CBC",
        "2.16.840.1.101.3.4.1.42" => "AES-256-CBC",
        "1.2.840.113549.3.7" => "DES-EDE3-CBC",
        "1.3.14.3.2.7" => "DES-CBC",
        "1.2.840.113549.3.2" => "RC2-CBC",
        "1.2.840.113549.1.5.3" => "PBES1 MD5/DES",
        "1.2.840.113549.1.5.6" => "PBES1 MD5/RC2",
        "1.2.840.113549.1.5.10" => "PBES1 SHA1/DES",
        "1.2.840.113549.1.5.11" => "PBES1 SHA1/RC2",
        "1.2.840.113549.1.12.1.3" => "PBE SHA1/3DES (PKCS#12)",
        "1.2.840.113549.1.12.1.4" => "PBE SHA1/2-key 3DES (PKCS#12)",
        "1.2.840.113549.1.12.1.5" => "PBE SHA1/RC2-128 (PKCS#12)",
        "1.2.840.113549.1.12.1.6" => "PBE SHA1/RC2-40 (PKCS#12)",
        _ => oid,
    };
}
