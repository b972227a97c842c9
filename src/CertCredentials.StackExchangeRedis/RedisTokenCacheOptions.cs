using StackExchange.Redis;

namespace CertCredentials.StackExchangeRedis;

/// <summary>Where the fleet's shared tokens live. Validated when the host starts.</summary>
public sealed class RedisTokenCacheOptions
{
    /// <summary>A StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379</c> or <c>redis:6380,ssl=true,password=...</c>.</summary>
    public string? Configuration { get; set; }

    /// <summary>
    /// Namespaces the entries (and the change channel) in a Redis that other things share: <c>certcredentials:</c> by
    /// default. Two applications may share one Redis and one prefix: entries are bound to their application, tenant
    /// and scope and encrypted under each certificate's own key.
    /// </summary>
    public string KeyPrefix { get; set; } = "certcredentials:";

    /// <summary>A connection the application already has (used instead of <see cref="Configuration"/>, and not disposed by this package).</summary>
    public IConnectionMultiplexer? ConnectionMultiplexer { get; set; }

    /// <summary>
    /// How long a caller waits for one Redis call before it goes on without Redis (default 250 ms: a loopback or same-zone
    /// round trip is under a millisecond; this only bounds a sick Redis). A token request never depends on Redis answering.
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Describes the options without the password a configuration string may hold.</summary>
    public override string ToString() =>
        $"RedisTokenCacheOptions {{ Configuration = {RedisTokenStore.Describe(Configuration)}, KeyPrefix = {KeyPrefix}, OperationTimeout = {OperationTimeout} }}";
}
