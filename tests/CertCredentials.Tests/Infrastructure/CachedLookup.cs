namespace CertCredentials.Tests.Infrastructure;

internal static class CachedLookup
{
    /// <summary>Asserts the lookup completed synchronously (a cache hit, no waiting) and returns its token.</summary>
    public static AccessToken Synchronously(this ValueTask<AccessToken> lookup)
    {
        lookup.IsCompletedSuccessfully.Should().BeTrue("a valid cached token is returned without waiting");
        return lookup.IsCompletedSuccessfully ? lookup.Result : default;
    }
}
