using StackExchange.Redis;

namespace CertCredentials.StackExchangeRedis;

/// <summary>What is wrong with a <see cref="RedisTokenCacheOptions"/>, in words that say the fix (no password echoed).</summary>
internal static class RedisTokenCacheOptionsCheck
{
    public static List<string> Problems(RedisTokenCacheOptions options)
    {
        var problems = new List<string>();
        if (options.ConnectionMultiplexer is null)
        {
            if (string.IsNullOrWhiteSpace(options.Configuration))
            {
                problems.Add("RedisTokenCacheOptions.Configuration is not set: give the Redis configuration string (e.g. \"127.0.0.1:6379\"), or set ConnectionMultiplexer to a connection you have.");
            }
            else
            {
                try
                {
                    if (ConfigurationOptions.Parse(options.Configuration).EndPoints.Count == 0)
                    {
                        problems.Add("RedisTokenCacheOptions.Configuration names no Redis endpoint: give host:port, e.g. \"127.0.0.1:6379\".");
                    }
                }
                catch (Exception e) when (e is ArgumentException or RedisException)
                {
                    // The parser's message quotes the offending option, which may be the password: give only its kind.
                    problems.Add($"RedisTokenCacheOptions.Configuration does not parse as a StackExchange.Redis configuration string ({e.GetType().Name}): expected \"host:port,option=value,...\".");
                }
            }
        }

        if (string.IsNullOrEmpty(options.KeyPrefix))
        {
            problems.Add("RedisTokenCacheOptions.KeyPrefix is empty: give one (the default is \"certcredentials:\") so the entries are apart from the rest of what the Redis holds.");
        }

        if (options.OperationTimeout <= TimeSpan.Zero || options.OperationTimeout > TimeSpan.FromSeconds(30))
        {
            problems.Add($"RedisTokenCacheOptions.OperationTimeout is {options.OperationTimeout}: give a positive time of at most 30 seconds (default 250 ms); it bounds how long a caller waits for Redis.");
        }

        return problems;
    }
}
