using CertCredentials.StackExchangeRedis;
using Microsoft.Extensions.Options;

namespace CertCredentials.StackExchangeRedis.DependencyInjection;

/// <summary>Checks the Redis options when the host starts, every problem at once.</summary>
internal sealed class RedisTokenCacheOptionsValidator : IValidateOptions<RedisTokenCacheOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisTokenCacheOptions options)
    {
        var problems = RedisTokenCacheOptionsCheck.Problems(options);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
