using System.Collections.Concurrent;
using StackExchange.Redis;

namespace CertCredentials.StackExchangeRedis;

/// <summary>
/// The fleet's shared token store in Redis: a transport only. It holds the opaque entries the credentials encrypt
/// (<c>SET key value PX ttl</c>), leases (<c>SET key:lease fence NX PX</c>, released by a compare-and-delete script),
/// and change notices (one pub/sub channel per prefix, carrying the entry's name). Under dependency injection,
/// <c>AddCertificateClientCredentialRedisCache</c> registers one; without it, set
/// <see cref="CertificateClientCredentialOptions.SharedTokenStore"/> to one and dispose it at the end.
/// </summary>
/// <remarks>
/// The connection is made on first use and never makes a caller fail: Redis down at start, mid-run or restarted, the
/// credential requests its tokens directly while StackExchange.Redis reconnects in the background. Commands fail fast
/// while disconnected rather than queueing.
/// </remarks>
public sealed class RedisTokenStore : SharedTokenStore, IAsyncDisposable, IDisposable
{
    /// <summary>Deletes the lease only while it still holds this holder's fence: an expired lease taken by another stays theirs.</summary>
    private const string ReleaseScript = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

    private readonly RedisTokenCacheOptions _options;
    private readonly string _prefix;
    private readonly RedisChannel _channel;
    private readonly bool _ownsConnection;
    private readonly string _description;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<bool>> _waiters = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private Task<IConnectionMultiplexer>? _connection;
    private Task? _subscription;
    private int _disposed;

    /// <summary>Checks the options; connects on first use.</summary>
    /// <exception cref="CertificateCredentialException">Neither a configuration string nor a connection was given, or the string does not parse.</exception>
    public RedisTokenStore(RedisTokenCacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = RedisTokenCacheOptionsCheck.Problems(options);
        if (problems.Count > 0)
        {
            throw new CertificateCredentialException(CertificateCredentialFailure.InvalidOptions, string.Join(" ", problems));
        }

        _options = options;
        _prefix = options.KeyPrefix;
        _channel = RedisChannel.Literal(_prefix + "changed");
        _ownsConnection = options.ConnectionMultiplexer is null;
        if (options.ConnectionMultiplexer is { } given)
        {
            _connection = Task.FromResult(given);
        }

        else
        {
            // Connecting starts now, so that by the first token miss (after the host started) the connection is up.
            _ = ConnectionAsync().ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }

        _description = $"Redis {(options.ConnectionMultiplexer is { } m ? m.Configuration is { } c ? Describe(c) : "(given connection)" : Describe(options.Configuration))}, prefix '{_prefix}'";
    }

    /// <inheritdoc/>
    public override TimeSpan OperationTimeout => _options.OperationTimeout;

    /// <inheritdoc/>
    public override async ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var value = await database.StringGetAsync(_prefix + key).WaitAsync(cancellationToken).ConfigureAwait(false);
        return value.IsNull ? null : (byte[]?)value;
    }

    /// <inheritdoc/>
    public override async ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);

        // Pipelined on one connection: the notice leaves after the write, so a woken waiter reads the new entry.
        var set = database.StringSetAsync(_prefix + key, value, timeToLive, When.Always);
        var publish = database.PublishAsync(_channel, key);
        await Task.WhenAll(set, publish).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override async ValueTask RemoveAsync(string key, CancellationToken cancellationToken)
    {
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var delete = database.KeyDeleteAsync(_prefix + key);
        var publish = database.PublishAsync(_channel, key);
        await Task.WhenAll(delete, publish).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override async ValueTask<bool> TryAcquireLeaseAsync(string key, string fence, TimeSpan duration, CancellationToken cancellationToken)
    {
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        return await database.StringSetAsync(LeaseKey(key), fence, duration, When.NotExists).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override async ValueTask ReleaseLeaseAsync(string key, string fence, CancellationToken cancellationToken)
    {
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        await database.ScriptEvaluateAsync(ReleaseScript, [LeaseKey(key)], [fence]).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override async ValueTask<bool> WaitForChangeAsync(string key, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await SubscribeAsync(cancellationToken).ConfigureAwait(false);
        var waiter = _waiters.GetOrAdd(key, static _ => new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            return await waiter.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>The Redis endpoints and prefix; never the password.</summary>
    public override string ToString() => _description;

    /// <summary>Closes the connection this store opened (a given one stays open).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var waiter in _waiters.Values)
        {
            waiter.TrySetResult(false);
        }

        if (_ownsConnection && Volatile.Read(ref _connection) is { IsCompletedSuccessfully: true } connection)
        {
            connection.Result.Dispose();
        }
    }

    /// <inheritdoc cref="Dispose"/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var waiter in _waiters.Values)
        {
            waiter.TrySetResult(false);
        }

        if (_ownsConnection && Volatile.Read(ref _connection) is { IsCompletedSuccessfully: true } connection)
        {
            await connection.Result.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A configuration string's endpoints, without its password or other settings.</summary>
    internal static string Describe(string? configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration))
        {
            return "(not set)";
        }

        try
        {
            var parsed = ConfigurationOptions.Parse(configuration);
            return parsed.EndPoints.Count == 0 ? "(no endpoint)" : string.Join(",", parsed.EndPoints.Select(e => e.ToString()));
        }
        catch (Exception e) when (e is ArgumentException or RedisException)
        {
            return "(does not parse)";
        }
    }

    private string LeaseKey(string key) => _prefix + key + ":lease";

    private async ValueTask<IDatabase> DatabaseAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return (await ConnectionAsync().WaitAsync(cancellationToken).ConfigureAwait(false)).GetDatabase();
    }

    /// <summary>One connection attempt at a time; a failed one is forgotten so the next call tries again.</summary>
    private Task<IConnectionMultiplexer> ConnectionAsync()
    {
        var current = Volatile.Read(ref _connection);
        if (current is not null && !current.IsFaulted && !current.IsCanceled)
        {
            return current;
        }

        lock (_gate)
        {
            if (_connection is null || _connection.IsFaulted || _connection.IsCanceled)
            {
                _connection = ConnectAsync();
            }

            return _connection;
        }
    }

    private async Task<IConnectionMultiplexer> ConnectAsync()
    {
        var configuration = ConfigurationOptions.Parse(_options.Configuration!);

        // Down at start must not stop the host: the multiplexer connects and reconnects in the background, and while it
        // is disconnected commands fail at once instead of queueing behind the outage.
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;

        // Back within a second or two of a restart; at most one attempt every 5 s during a long outage.
        configuration.ReconnectRetryPolicy ??= new ExponentialRetry(250, 5000);
        configuration.ClientName ??= "CertCredentials";
        var connection = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
        if (Volatile.Read(ref _disposed) != 0)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            ObjectDisposedException.ThrowIf(true, this);
        }

        return connection;
    }

    private async ValueTask SubscribeAsync(CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _subscription);
        if (current is null || current.IsFaulted || current.IsCanceled)
        {
            lock (_gate)
            {
                if (_subscription is null || _subscription.IsFaulted || _subscription.IsCanceled)
                {
                    _subscription = SubscribeCoreAsync();
                }

                current = _subscription;
            }
        }

        await current.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task SubscribeCoreAsync()
    {
        var connection = await ConnectionAsync().ConfigureAwait(false);

        // StackExchange.Redis subscribes again by itself after a reconnection.
        await connection.GetSubscriber().SubscribeAsync(_channel, (_, message) =>
        {
            if (message.HasValue && _waiters.TryRemove((string)message!, out var waiter))
            {
                waiter.TrySetResult(true);
            }
        }).ConfigureAwait(false);
    }
}
