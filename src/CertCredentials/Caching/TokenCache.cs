using System.Diagnostics;
using CertCredentials.Configuration;
using CertCredentials.Diagnostics;
using CertCredentials.SharedCache;
using CertCredentials.TokenEndpoint;
using Microsoft.Extensions.Logging;

namespace CertCredentials.Caching;

/// <summary>
/// One credential's token cache.
/// <list type="bullet">
/// <item>Hot path: a volatile read and a clock read; a synchronously completed <see cref="ValueTask{T}"/>; no lock, no allocation.</item>
/// <item>Refresh window: the first caller past <see cref="CachedToken.RefreshAt"/> starts one background refresh; every caller keeps the valid token meanwhile.</item>
/// <item>Single flight: all callers of a cold or expired cache share one request; a caller's cancellation only stops its own wait.</item>
/// <item>Failures are not cached, but after transient ones, calls within a short back-off fail fast instead of hammering the endpoint.</item>
/// </list>
/// Knows nothing of HTTP: it calls the acquire function it is given, through the fleet's shared store when one is
/// given (only inside a flight: a cached lookup never touches it).
/// </summary>
internal sealed class TokenCache : IDisposable
{
    private readonly Func<string?, CancellationToken, Task<TokenResponse>> _acquire;
    private readonly CredentialSettings _settings;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Action<CachedToken?>? _changed;
    private readonly SharedTokenPair? _shared;
    private readonly Func<double> _jitter;
    private readonly DisposalNotice _disposal;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _lifetime = new();

    private CachedToken? _current;
    private Task<CachedToken>? _flight;
    private (string? Claims, Task<CachedToken> Task)? _forcedFlight;
    private int _consecutiveFailures;
    private int _reporting;
    private DateTimeOffset _coolDownUntil;
    private Exception? _lastFailure;
    private bool _disposed;

    /// <param name="acquire">Gets a token from the endpoint (claims challenge or null).</param>
    /// <param name="settings">The tenant, scope and timings.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="logger">Where to log.</param>
    /// <param name="changed">Told of every change of the cached token, under the cache's lock (a <see cref="TokenTable"/> slot mirrors it).</param>
    /// <param name="shared">The fleet's shared store for this tenant and scope, or null.</param>
    /// <param name="jitter">The back-off's randomness, a value in [0, 1) (<see cref="RetryBackoff.RandomJitter"/>; fixed in tests).</param>
    /// <param name="disposal">Shared by a credential's caches, so that a disposal that stops requests is logged once.</param>
    public TokenCache(Func<string?, CancellationToken, Task<TokenResponse>> acquire, CredentialSettings settings, TimeProvider timeProvider, ILogger logger,
                      Action<CachedToken?>? changed = null, SharedTokenPair? shared = null, Func<double>? jitter = null, DisposalNotice? disposal = null)
    {
        _acquire = acquire;
        _settings = settings;
        _timeProvider = timeProvider;
        _logger = GuardedLogger.For(logger);
        _changed = changed;
        _shared = shared;
        _jitter = jitter ?? RetryBackoff.RandomJitter;
        _disposal = disposal ?? new DisposalNotice();
    }

    /// <summary>The tenant, scope and timings it serves.</summary>
    public CredentialSettings Settings => _settings;

    /// <summary>The token now cached, if any (for health checks and tests).</summary>
    public CachedToken? Current => Volatile.Read(ref _current);

    /// <summary>
    /// Whether an acquisition (cold, refresh or forced) is under way, or still reporting its outcome (logs, metrics,
    /// activity come after its callers have their answer): false once everything it does is done.
    /// </summary>
    public bool IsAcquiring
    {
        get
        {
            lock (_gate)
            {
                return _flight is not null || _forcedFlight is not null || Volatile.Read(ref _reporting) > 0;
            }
        }
    }

    /// <summary>The outcome of the last acquisition: null after a success.</summary>
    public Exception? LastFailure => Volatile.Read(ref _lastFailure);

    public ValueTask<AccessToken> GetAsync(CancellationToken cancellationToken)
    {
        // The clock first: its read does not depend on the entry, so the entry's cache miss (many credentials) overlaps it.
        var now = _timeProvider.GetUtcNow();
        var current = Volatile.Read(ref _current);
        if (current is not null && now < current.UsableUntil)
        {
            if (now >= current.RefreshAt)
            {
                StartBackgroundRefresh(current);
            }

            ReportHit(current);
            return new ValueTask<AccessToken>(current.Token);
        }

        return new ValueTask<AccessToken>(WaitForTokenAsync(cancellationToken));
    }

    /// <summary>Gets a new token now, bypassing the cache; concurrent calls with the same claims share one request.</summary>
    public async Task<AccessToken> RefreshAsync(string? claims, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Task<CachedToken> flight;
        TaskCompletionSource<CachedToken>? mine = null;
        lock (_gate)
        {
            ThrowIfDisposed();
            if (_forcedFlight is { } forced && forced.Claims == claims)
            {
                flight = forced.Task;
            }
            else
            {
                mine = NewFlight();
                flight = mine.Task;
                _forcedFlight = (claims, flight);
            }
        }

        if (mine is not null)
        {
            await RunFlight(mine, claims, isForced: true).WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        var cached = await flight.WaitAsync(cancellationToken).ConfigureAwait(false);
        return cached.Token;
    }

    /// <summary>Drops <paramref name="token"/> if it is still the cached one (a resource rejected it).</summary>
    public bool Invalidate(string token)
    {
        lock (_gate)
        {
            if (_current is { } current && string.Equals(current.Token.Token, token, StringComparison.Ordinal))
            {
                SetCurrent(null);
                CredentialLog.TokenInvalidated(_logger, _settings.Scope, _settings.TenantId);
                _shared?.Rejected(token);
                return true;
            }

            return false;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            SetCurrent(null);
        }

        // Not disposed: it has no timer, and a flight starting concurrently may still read its token.
        _lifetime.Cancel();
    }

    /// <summary>Replaces the cached token. Called under the lock, which also serialises what <c>changed</c> is told.</summary>
    private void SetCurrent(CachedToken? value)
    {
        _current = value;
        _changed?.Invoke(value);
    }

    private async Task<AccessToken> WaitForTokenAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Task<CachedToken> flight;
        TaskCompletionSource<CachedToken>? mine = null;
        lock (_gate)
        {
            ThrowIfDisposed();
            var now = _timeProvider.GetUtcNow();
            if (_current is { } current && now < current.UsableUntil)
            {
                return current.Token;
            }

            if (_flight is null && _lastFailure is { } failure && now < _coolDownUntil)
            {
                throw CoolingDown(failure, now);
            }

            if (_flight is null)
            {
                mine = NewFlight();
                _flight = mine.Task;
            }

            flight = _flight;
        }

        CredentialTelemetry.Count(CredentialTelemetry.CacheMisses);
        if (mine is not null)
        {
            await RunFlight(mine, claims: null, isForced: false).WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        var cached = await flight.WaitAsync(cancellationToken).ConfigureAwait(false);
        return cached.Token;
    }

    private void StartBackgroundRefresh(CachedToken current)
    {
        // Without the lock while a flight is under way: every call in the refresh window comes here until it lands.
        if (Volatile.Read(ref _flight) is null)
        {
            StartBackgroundRefreshUnlessStarted(current);
        }
    }

    private void StartBackgroundRefreshUnlessStarted(CachedToken current)
    {
        lock (_gate)
        {
            if (_disposed || _flight is not null || !ReferenceEquals(_current, current))
            {
                return;
            }

            _flight = StartBackgroundFlight();
        }

        CredentialLog.RefreshStarted(_logger, _settings.Scope, _settings.TenantId, current.UsableUntil);
    }

    /// <summary>
    /// Starts a background refresh on the thread pool (no caller waits for it). Called under the lock; the flight clears
    /// itself under it. It runs in a clean execution context: it serves every later caller, so it carries neither the
    /// Activity (its span is a root, not a child of whichever request happened to trigger it) nor the AsyncLocal values
    /// of the caller that started it.
    /// </summary>
    private Task<CachedToken> StartBackgroundFlight()
    {
        var completion = NewFlight();

        // The unsafe queue flows no ExecutionContext at all, whether or not the caller suppressed its flow: one path, where
        // Task.Run needed a SuppressFlow scope and a second branch for a caller that had already suppressed it.
        ThreadPool.UnsafeQueueUserWorkItem(
            static state => _ = state.Cache.FlyAsync(state.Completion, claims: null, isRefresh: true, isForced: false),
            (Cache: this, Completion: completion),
            preferLocal: false);

        return completion.Task;
    }

    /// <summary>The shared request of a new flight, made under the lock; other callers wait for it.</summary>
    private TaskCompletionSource<CachedToken> NewFlight()
    {
        Interlocked.Increment(ref _reporting); // until the flight has reported (FlyAsync's finally)
        return new TaskCompletionSource<CachedToken>(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>
    /// Runs a flight a caller waits for, started after the lock is released. With no synchronization context or custom
    /// scheduler to capture, it runs on the caller's thread up to its first await, and the caller awaits the flight
    /// itself (its reporting included), resumed by the thread that finishes it: two thread-pool hops fewer on every
    /// cold acquisition than a flight started on the pool and awaited through the shared request, which resumes its
    /// waiters on the pool (the other callers still are). Otherwise it goes to the pool, so that a caller blocking on a
    /// single-threaded context (a sync-over-async <c>GetToken</c>) cannot deadlock on a handler resuming on it.
    /// </summary>
    private Task RunFlight(TaskCompletionSource<CachedToken> completion, string? claims, bool isForced) =>
        SynchronizationContext.Current is null && TaskScheduler.Current == TaskScheduler.Default
            ? FlyAsync(completion, claims, isRefresh: false, isForced)
            : Task.Run(() => FlyAsync(completion, claims, isRefresh: false, isForced), CancellationToken.None);

    /// <summary>
    /// One acquisition. The shared request is completed first, always: waiters get the token or the failure, typed.
    /// Reporting (logs, metrics, the activity) comes after and is guarded, so it can never change what callers get
    /// nor leave them waiting.
    /// </summary>
    private async Task FlyAsync(TaskCompletionSource<CachedToken> completion, string? claims, bool isRefresh, bool isForced)
    {
        try
        {
            await FlyAndReportAsync(completion, claims, isRefresh, isForced).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _reporting);
        }
    }

    private async Task FlyAndReportAsync(TaskCompletionSource<CachedToken> completion, string? claims, bool isRefresh, bool isForced)
    {
        var started = Stopwatch.GetTimestamp();
        var activity = StartActivity(isRefresh);
        CachedToken cached;
        TokenResponse? response;
        try
        {
            var requestedAt = _timeProvider.GetUtcNow();
            if (claims is not null)
            {
                CredentialLog.ClaimsChallenge(_logger, _settings.Scope, _settings.TenantId);
            }

            if (_shared is null)
            {
                response = await _acquire(claims, _lifetime.Token).ConfigureAwait(false);
                cached = CachedToken.From(response, requestedAt, _settings);
            }
            else
            {
                // Null response: another instance requested it, and its original lifetime governs the schedule.
                (cached, response) = await _shared.AcquireAsync(claims, isForced, isRefresh ? Current : null, _acquire, _lifetime.Token).ConfigureAwait(false);
            }
        }
        catch (Exception exception)
        {
            Fail(completion, exception, isRefresh, isForced, activity, started);
            return;
        }

        lock (_gate)
        {
            // A slower, older flight must not replace a newer token.
            if (!_disposed && (_current is null || _current.AcquiredAt <= cached.AcquiredAt))
            {
                SetCurrent(cached);
            }

            _consecutiveFailures = 0;
            _lastFailure = null;
            ClearFlight(completion.Task, isForced);
        }

        completion.TrySetResult(cached);
        ReportSuccess(cached, response, isRefresh, activity, started);
    }

    /// <summary>Records the failure, completes the shared request with it, then reports it.</summary>
    private void Fail(TaskCompletionSource<CachedToken> completion, Exception exception, bool isRefresh, bool isForced, Activity? activity, long started)
    {
        if (_lifetime.IsCancellationRequested)
        {
            // A shutdown, not a failure: no back-off, no LastFailure, no failure metric; Debug, once per credential.
            lock (_gate)
            {
                ClearFlight(completion.Task, isForced);
            }

            completion.TrySetException(new CertificateCredentialException(CertificateCredentialFailure.Disposed,
                "The credential was disposed while a token request was under way.", exception));
            _ = completion.Task.Exception; // observed: a background refresh may have no one waiting on it
            ReportDisposal(activity);
            return;
        }

        var failure = AsCredentialFailure(exception);
        var now = _timeProvider.GetUtcNow();
        var endpointError = failure as TokenEndpointException;
        var retryable = failure.IsRetryable;
        DateTimeOffset nextAttempt;
        int failures;
        CachedToken? stillValid = null;
        lock (_gate)
        {
            failures = retryable ? ++_consecutiveFailures : _consecutiveFailures;
            nextAttempt = now + RetryBackoff.Delay(_settings, Math.Max(1, failures), endpointError?.RetryAfter, _jitter());
            _lastFailure = failure;
            if (retryable)
            {
                _coolDownUntil = nextAttempt;
            }

            if (isRefresh && _current is { } current && now < current.UsableUntil)
            {
                // Keep serving the valid token; try again later rather than on every call.
                stillValid = current.WithRefreshAt(nextAttempt);
                SetCurrent(stillValid);
            }

            ClearFlight(completion.Task, isForced);
        }

        completion.TrySetException(failure);
        _ = completion.Task.Exception; // observed: a background refresh may have no one waiting on it
        ReportFailure(failure, stillValid, retryable, failures, now, nextAttempt, activity, started);
    }

    /// <summary>
    /// Every failure reaching a caller is a <see cref="CertificateCredentialException"/>: the pipeline types what the
    /// endpoint does; anything else (a shared store, a bug) is typed here, the original as InnerException.
    /// </summary>
    private CertificateCredentialException AsCredentialFailure(Exception exception) =>
        exception as CertificateCredentialException
        ?? new TokenEndpointException(CertificateCredentialFailure.TokenEndpointUnavailable,
            $"Token acquisition for {_settings.Scope} in tenant {_settings.TenantId} failed: {exception.GetType().Name} (see InnerException).",
            innerException: exception);

    private Activity? StartActivity(bool isRefresh)
    {
        try
        {
            var activity = CredentialTelemetry.ActivitySource.StartActivity("CertCredentials.AcquireToken");
            activity?.SetTag("certcredentials.scope", _settings.Scope);
            activity?.SetTag("certcredentials.tenant", _settings.TenantId);
            activity?.SetTag("certcredentials.client_id", _settings.ClientId);
            activity?.SetTag("certcredentials.refresh", isRefresh);
            activity?.SetTag("server.address", _settings.TokenEndpoint.Host);
            return activity;
        }
        catch (Exception)
        {
            return null; // an ActivityListener that throws: no span, the same token
        }
    }

    private void ReportHit(CachedToken current)
    {
        try
        {
            CredentialTelemetry.CacheHits.Add(1);
            if (_logger.IsEnabled(LogLevel.Trace))
            {
                // Checked here, not only inside: the arguments would otherwise touch _settings on every hit.
                CredentialLog.TokenServedFromCache(_logger, _settings.Scope, _settings.TenantId, current.Token.ExpiresOn);
            }
        }
        catch (Exception)
        {
            // A MeterListener that throws: the caller still gets the token.
        }
    }

    private void ReportSuccess(CachedToken cached, TokenResponse? response, bool isRefresh, Activity? activity, long started)
    {
        try
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            CredentialTelemetry.AcquisitionDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("outcome", response is null ? "shared" : "success"));
            if (response?.ClampedExpiresIn is { } clamped)
            {
                CredentialLog.ExpiresInClamped(_logger, _settings.Scope, _settings.TenantId, clamped, response.ExpiresIn.TotalSeconds);
            }

            if (response is not null)
            {
                CredentialLog.TokenAcquired(_logger, _settings.Scope, _settings.TenantId, _settings.TokenEndpoint, elapsed.TotalMilliseconds, cached.Token.ExpiresOn, cached.RefreshAt, response.CorrelationId);
            }

            if (isRefresh)
            {
                CredentialLog.RefreshFinished(_logger, _settings.Scope, _settings.TenantId, cached.Token.ExpiresOn);
            }

            activity?.SetStatus(ActivityStatusCode.Ok);
        }
        catch (Exception)
        {
            // Reporting never changes what callers get; they already have it.
        }
        finally
        {
            Stop(activity);
        }
    }

    private void ReportFailure(CertificateCredentialException failure, CachedToken? stillValid, bool retryable, int failures, DateTimeOffset now,
                               DateTimeOffset nextAttempt, Activity? activity, long started)
    {
        try
        {
            var endpointError = failure as TokenEndpointException;
            var code = endpointError?.ErrorCodes.Count > 0 ? endpointError.ErrorCodes[0] : (int?)null;
            activity?.SetStatus(ActivityStatusCode.Error, failure.GetType().Name);
            CredentialTelemetry.AcquisitionDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("outcome", "failure"));
            CredentialTelemetry.Failures.Add(1,
                new KeyValuePair<string, object?>("failure", failure.Failure.ToString()),
                new KeyValuePair<string, object?>("error.code", code?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? endpointError?.StatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture)));

            if (stillValid is not null)
            {
                CredentialLog.RefreshFailed(_logger, _settings.Scope, _settings.TenantId, TokenRequestPipeline.DescribeForLog(failure), stillValid.UsableUntil, stillValid.RefreshAt);
            }
            else
            {
                CredentialLog.AcquisitionFailed(_logger, _settings.Scope, _settings.TenantId, failure.Failure,
                    endpointError?.StatusCode, code, endpointError?.CorrelationId, failure.Message);
                if (retryable && failures > 1 && nextAttempt > now)
                {
                    CredentialLog.CoolingDown(_logger, _settings.Scope, _settings.TenantId, nextAttempt, failures);
                }
            }
        }
        catch (Exception)
        {
            // Reporting never changes what callers get; they already have it.
        }
        finally
        {
            Stop(activity);
        }
    }

    private void ReportDisposal(Activity? activity)
    {
        try
        {
            activity?.SetTag("certcredentials.disposed", true);
            if (_disposal.TryClaim())
            {
                CredentialLog.AcquisitionStoppedByDisposal(_logger, _settings.Scope, _settings.TenantId);
            }
        }
        catch (Exception)
        {
            // Reporting never changes what callers get.
        }
        finally
        {
            Stop(activity);
        }
    }

    private static void Stop(Activity? activity)
    {
        try
        {
            activity?.Dispose();
        }
        catch (Exception)
        {
            // An ActivityListener that throws when the span stops.
        }
    }

    private void ClearFlight(Task<CachedToken> flight, bool isForced)
    {
        if (isForced)
        {
            if (_forcedFlight is { } forced && ReferenceEquals(forced.Task, flight))
            {
                _forcedFlight = null;
            }
        }
        else if (ReferenceEquals(_flight, flight))
        {
            _flight = null;
        }
    }

    private TokenEndpointException CoolingDown(Exception last, DateTimeOffset now)
    {
        var wait = _coolDownUntil - now;
        var endpointError = last as TokenEndpointException;
        return new TokenEndpointException(
            CertificateCredentialFailure.TokenEndpointUnavailable,
            $"The token endpoint failed {_consecutiveFailures} time(s) in a row; to avoid hammering it, the next request is sent after {_coolDownUntil:u} (in {wait.TotalSeconds:F1} s). Last failure: {last.Message}",
            endpointError?.StatusCode, endpointError?.Error, endpointError?.ErrorDescription, endpointError?.ErrorCodes, endpointError?.CorrelationId,
            endpointError?.TraceId, isRetryable: true, retryAfter: wait, innerException: last);
    }

    /// <summary>The refusal of a call after the credential was disposed (also used for its other tenants' caches).</summary>
    public static CertificateCredentialException Disposed() =>
        new(CertificateCredentialFailure.Disposed, "The certificate credential was disposed; create a new one.");

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw Disposed();
        }
    }
}
