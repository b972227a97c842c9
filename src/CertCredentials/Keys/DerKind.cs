namespace CertCredentials.Keys;

/// <summary>What a DER structure is, judged by its shape.</summary>
internal enum DerKind
{
    Unknown,
    Pkcs12,
    Pkcs8,
    EncryptedPkcs8,
    Pkcs1,
    Sec1EcPrivateKey,
    Certificate,
    SubjectPublicKeyInfo,
}
