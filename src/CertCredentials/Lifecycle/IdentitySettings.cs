namespace CertCredentials.Lifecycle;

/// <summary>What every signing identity of one credential shares: the algorithm, the bound on a signer and the clock.</summary>
/// <param name="Algorithm"><c>RS256</c> or <c>PS256</c>.</param>
/// <param name="SigningTimeout">How long a signer may take (the options' RequestTimeout).</param>
/// <param name="Time">The clock that times the signer out.</param>
internal sealed record IdentitySettings(string Algorithm, TimeSpan SigningTimeout, TimeProvider Time);
