namespace CertCredentials.SharedCache;

/// <summary>
/// What the shared cache needs of the credential's current signing key: its certificate's thumbprint (read on every
/// shared-cache miss, so it must be cheap: the object the identity holds, compared by reference first, never formatted) and an RS256 signature of the fixed derivation label (made once per
/// thumbprint). A rotation changes the thumbprint, hence the derived key: entries written under the old one are then
/// unreadable and simply fetched again.
/// </summary>
/// <param name="CurrentThumbprint">The thumbprint of the key that signs now.</param>
/// <param name="SignRs256">Signs data with that key, RSASSA-PKCS1-v1_5 with SHA-256 (deterministic: every holder of the key gets the same bytes).</param>
internal sealed record SharedCacheSigner(Func<CertificateThumbprint> CurrentThumbprint, Func<byte[], CancellationToken, ValueTask<byte[]>> SignRs256);
