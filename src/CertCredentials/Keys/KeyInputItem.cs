namespace CertCredentials.Keys;

/// <summary>
/// One thing found in a key or certificate input, named without its contents: its form (and encryption scheme) in
/// words, and for a certificate its DER bytes (public). Never holds key material.
/// </summary>
internal sealed record KeyInputItem(string Form, byte[]? CertificateDer = null);
