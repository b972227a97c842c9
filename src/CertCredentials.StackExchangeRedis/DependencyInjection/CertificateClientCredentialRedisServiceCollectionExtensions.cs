using CertCredentials;
using CertCredentials.StackExchangeRedis;
using CertCredentials.StackExchangeRedis.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Shares the tokens of a fleet's instances through Redis.</summary>
public static class CertificateClientCredentialRedisServiceCollectionExtensions
{
    /// <summary>
    /// Every certificate credential of this container shares tokens with the other instances through this Redis: one
    /// token request per tenant and scope for the whole fleet, refreshed once for all. The options are checked when the
    /// host starts; Redis itself is reached on first use, and a Redis that is down or slow never fails a caller.
    /// </summary>
    public static IServiceCollection AddCertificateClientCredentialRedisCache(this IServiceCollection services, Action<RedisTokenCacheOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<RedisTokenCacheOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisTokenCacheOptions>, RedisTokenCacheOptionsValidator>());
        services.TryAddSingleton<SharedTokenStore>(sp => new RedisTokenStore(sp.GetRequiredService<IOptions<RedisTokenCacheOptions>>().Value));
        return services;
    }
}
