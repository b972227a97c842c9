using CertCredentials.Configuration;
using CertCredentials.Diagnostics;
using Microsoft.Extensions.Logging;

namespace CertCredentials.Lifecycle;

/// <summary>
/// Keeps a credential's signing identity current: loads it at start, checks for a change every
/// CertificateReloadInterval and whenever a watched key or certificate file's directory changes, reloads at once when
/// Entra refuses the certificate, and takes new key options (IOptionsMonitor). One check runs at a time; a new
/// certificate is checked fully before the holder swaps it in. A failure leaves the old identity serving: the first
/// is tried again at the next check (a file may be half written), a repeated one is reported once (Error event,
/// <see cref="ReloadFailure"/> for the health check) until a good certificate arrives.
/// </summary>
internal sealed class CertificateReloader : IDisposable
{
    private readonly IdentityHolder _holder;
    private readonly IdentitySettings _identitySettings;
    private readonly string _clientId;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _lifetime = new();

    private CertificateSource _source;
    private TimeSpan _interval;
    private ITimer? _timer;
    private List<IDisposable> _watches = [];
    private Task<ReloadOutcome>? _check;
    private string? _checkAgain;

    // Set when new options bring a new source: the first check to read it is the options' doing, whichever trigger
    // (a watcher seeing appsettings.json change in the key's folder, the timer) happened to start that check.
    private bool _sourceUnchecked;
    private long _refusalGeneration = -1;
    private Task<ReloadOutcome>? _refusalCheck;
    private bool _disposed;

    // Touched only by the one check under way (and by Reconfigure under the lock, between checks' reads).
    private byte[]? _installedFingerprint;
    private byte[]? _failedFingerprint;
    private int _consecutiveFailures;
    private string? _reportedKey;
    private CertificateCredentialException? _reportedFailure;

    private CertificateReloader(IdentityHolder holder, CertificateSource source, byte[]? fingerprint, TimeSpan interval, IdentitySettings identitySettings,
                                string clientId, ILogger log)
    {
        _holder = holder;
        _source = source;
        _installedFingerprint = fingerprint;
        _interval = interval;
        _identitySettings = identitySettings;
        _clientId = clientId;
        _time = identitySettings.Time;
        _log = log;
    }

    public IdentityHolder Holder => _holder;

    /// <summary>The reported failure of the last reloads, while the old certificate serves; null when none (or once a good one arrived).</summary>
    public CertificateCredentialException? ReloadFailure => Volatile.Read(ref _reportedFailure);

    /// <summary>How often the key is checked; zero when never.</summary>
    public TimeSpan Interval => _interval;

    /// <summary>
    /// Loads the first identity from the options (synchronously, as before) or their CertificateSource (on the thread
    /// pool, bounded by RequestTimeout, blocking only this caller), reports it, and starts watching.
    /// </summary>
    /// <exception cref="CertificateCredentialException">The key, certificate, source or signer is unusable.</exception>
    public static CertificateReloader Start(CertificateClientCredentialOptions options, CredentialSettings settings, TimeProvider time, ILogger log)
    {
        var identitySettings = new IdentitySettings(settings.SigningAlgorithm, settings.RequestTimeout, time);
        CertificateSource source = options.CertificateSource ?? new OptionsCertificateSource(options);
        byte[]? fingerprint = null;
        SigningIdentity identity;
        if (source is OptionsCertificateSource fromOptions)
        {
            fingerprint = fromOptions.Fingerprint();
            identity = SigningIdentity.ForLocalKey(fromOptions.Load(), identitySettings);
        }
        else
        {
            identity = WithoutFlow(() => Task.Run(() => LoadIdentityAsync(source, identitySettings, CancellationToken.None))).GetAwaiter().GetResult();
        }

        var reloader = new CertificateReloader(new IdentityHolder(identity), source, fingerprint, options.CertificateReloadInterval, identitySettings, settings.ClientId, log);
        reloader.Report(identity);
        lock (reloader._gate)
        {
            reloader.Schedule();
        }

        return reloader;
    }

    /// <summary>Checks now (or after the check under way, which then runs once more); completes when the checks are done.</summary>
    public Task<ReloadOutcome> CheckAsync(string trigger)
    {
        TaskCompletionSource<ReloadOutcome> completion;
        lock (_gate)
        {
            if (_disposed)
            {
                return Task.FromResult(ReloadOutcome.Unchanged);
            }

            if (_check is { } running)
            {
                _checkAgain ??= trigger;
                return running;
            }

            completion = new TaskCompletionSource<ReloadOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
            _check = completion.Task;
        }

        // On the thread pool, without the caller's context: a timer, a watcher or a token request triggered it.
        _ = WithoutFlow(() => Task.Run(() => RunChecksAsync(trigger, completion)));

        return completion.Task;
    }

    /// <summary>
    /// Entra refused <paramref name="refused"/>: reload once for this identity (concurrent refusals share that one
    /// reload; later ones of the same identity get its result, never a new reload), and say whether the credential now
    /// holds another certificate, with which the caller retries its request once.
    /// </summary>
    public async Task<bool> ReloadAfterRefusalAsync(CertificateThumbprint refused, int? errorCode, CancellationToken cancellationToken)
    {
        if (!_holder.Current.Thumbprint.Equals(refused))
        {
            return true; // already switched (by a watcher, or another caller's refusal)
        }

        if (_interval == TimeSpan.Zero)
        {
            return false; // never re-read: the user pinned this certificate
        }

        var generation = _holder.Generation;
        Task<ReloadOutcome> check;
        TaskCompletionSource<ReloadOutcome>? mine = null;
        lock (_gate)
        {
            if (_refusalGeneration == generation && _refusalCheck is { } shared)
            {
                check = shared;
            }
            else
            {
                _refusalGeneration = generation;
                mine = new TaskCompletionSource<ReloadOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
                check = _refusalCheck = mine.Task;
            }
        }

        if (mine is not null)
        {
            LifecycleLog.CertificateRefused(_log, refused.ToString(), _clientId, errorCode);

            // Completed whatever this caller's cancellation does: the callers sharing this reload wait on it.
            _ = CheckAsync(ReloadTrigger.Refusal).ContinueWith(static (t, state) => ((TaskCompletionSource<ReloadOutcome>)state!).TrySetResult(t.Result),
                mine, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        await check.WaitAsync(cancellationToken).ConfigureAwait(false);

        var switched = !_holder.Current.Thumbprint.Equals(refused);
        if (mine is not null && !switched)
        {
            LifecycleLog.RefusedCertificateUnchanged(_log, refused.ToString(), _clientId);
        }

        return switched;
    }

    /// <summary>
    /// New key options (IOptionsMonitor): a new source, or the same files with new paths or passphrase, replaces the old
    /// one and is checked at once; a new interval restarts the timer. The same inputs change nothing.
    /// </summary>
    public void Reconfigure(CertificateClientCredentialOptions options)
    {
        CertificateSource next = options.CertificateSource ?? new OptionsCertificateSource(options);
        bool sameSource;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            sameSource = ReferenceEquals(next, _source) || (next is OptionsCertificateSource n && _source is OptionsCertificateSource o && n.SameInputs(o));
            var intervalChanged = options.CertificateReloadInterval != _interval;
            if (!sameSource)
            {
                _source = next;
                _sourceUnchecked = true;
                _consecutiveFailures = 0;
                _failedFingerprint = null;
            }

            _interval = options.CertificateReloadInterval;
            if (!sameSource || intervalChanged)
            {
                Schedule();
            }
        }

        if (!sameSource)
        {
            _ = CheckAsync(ReloadTrigger.Options);
        }
    }

    /// <summary>Reports a failure found outside a check (new options that cannot be used), as a failed reload.</summary>
    public void ReportFailure(CertificateCredentialException failure, string trigger)
    {
        lock (_gate)
        {
            Report(failure, trigger);
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
            Unschedule();
        }

        _lifetime.Cancel();
        _holder.Dispose();
    }

    /// <summary>A source's answer, bounded by RequestTimeout (even when the source ignores cancellation) and typed.</summary>
    private static async Task<ClientCertificate> LoadAsync(CertificateSource source, IdentitySettings settings, CancellationToken cancellationToken)
    {
        var name = source.GetType().Name;
        var loaded = await BoundedCall.RunAsync(source.LoadAsync, settings.SigningTimeout, settings.Time, CertificateCredentialFailure.CertificateSourceFailed,
            $"The certificate source {name} gave no certificate within RequestTimeout ({settings.SigningTimeout.TotalSeconds:0.#} s). Check that what it reads from is reachable, or raise RequestTimeout.",
            type => $"The certificate source {name} failed ({type}; see InnerException).",
            late => late?.Dispose(), cancellationToken).ConfigureAwait(false);
        return loaded ?? throw new CertificateCredentialException(CertificateCredentialFailure.CertificateSourceFailed,
            $"The certificate source {name} returned no certificate (null). Return a ClientCertificate, or throw a CertificateCredentialException that says what is wrong.");
    }

    private static async Task<SigningIdentity> LoadIdentityAsync(CertificateSource source, IdentitySettings settings, CancellationToken cancellationToken)
    {
        var certificate = await LoadAsync(source, settings, cancellationToken).ConfigureAwait(false);
        try
        {
            return await SigningIdentity.CreateAsync(certificate, settings, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            certificate.Dispose();
            throw;
        }
    }

    private static bool Same(byte[]? a, byte[]? b) => a is not null && b is not null && a.AsSpan().SequenceEqual(b);

    /// <summary>Checks, timers and watchers run without the context of whoever caused them (its Activity, AsyncLocals).</summary>
    private static T WithoutFlow<T>(Func<T> start)
    {
        if (ExecutionContext.IsFlowSuppressed())
        {
            return start();
        }

        using (ExecutionContext.SuppressFlow())
        {
            return start();
        }
    }

    private async Task RunChecksAsync(string trigger, TaskCompletionSource<ReloadOutcome> completion)
    {
        var outcome = ReloadOutcome.Unchanged;
        while (true)
        {
            try
            {
                outcome = await CheckOnceAsync(trigger).ConfigureAwait(false);
            }
            catch (Exception) when (_lifetime.IsCancellationRequested)
            {
                outcome = ReloadOutcome.Unchanged; // disposed meanwhile: nothing to report
            }
            catch (Exception e)
            {
                // CheckOnceAsync types every failure; anything else must still not stop later checks.
                outcome = ReloadOutcome.Failed;
                lock (_gate)
                {
                    Report(e as CertificateCredentialException ?? new CertificateCredentialException(CertificateCredentialFailure.CertificateSourceFailed,
                        $"Checking the key and certificate failed ({e.GetType().Name}).", e), trigger);
                }
            }

            lock (_gate)
            {
                if (_checkAgain is null || _disposed)
                {
                    _check = null;
                    break;
                }

                trigger = _checkAgain;
                _checkAgain = null;
            }
        }

        completion.SetResult(outcome);
    }

    private async Task<ReloadOutcome> CheckOnceAsync(string trigger)
    {
        CertificateSource source;
        lock (_gate)
        {
            source = _source;
            if (_sourceUnchecked)
            {
                _sourceUnchecked = false;
                trigger = ReloadTrigger.Options;
            }
        }

        var current = _holder.Current;
        byte[]? fingerprint = null;
        if (source is OptionsCertificateSource fromOptions)
        {
            fingerprint = fromOptions.Fingerprint();
            if (Same(fingerprint, _installedFingerprint))
            {
                return Unchanged(current, trigger);
            }

            if (ReloadFailure is not null && Same(fingerprint, _failedFingerprint))
            {
                // Reported already for this very content: read it again only once it changes.
                return Count(ReloadOutcome.Failed, trigger);
            }
        }

        ClientCertificate loaded;
        try
        {
            loaded = await LoadAsync(source, _identitySettings, _lifetime.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (!_lifetime.IsCancellationRequested)
        {
            return Failed(e, fingerprint, trigger);
        }

        if (ReferenceEquals(loaded, current.Certificate) || loaded.Thumbprint.Equals(current.Thumbprint))
        {
            if (!ReferenceEquals(loaded, current.Certificate))
            {
                loaded.Dispose();
            }

            _installedFingerprint = fingerprint;
            return Unchanged(current, trigger);
        }

        SigningIdentity next;
        try
        {
            next = await SigningIdentity.CreateAsync(loaded, _identitySettings, _lifetime.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (!_lifetime.IsCancellationRequested)
        {
            loaded.Dispose();
            return Failed(e, fingerprint, trigger);
        }

        if (!_holder.Swap(next))
        {
            next.Release(); // disposed meanwhile
            return ReloadOutcome.Unchanged;
        }

        _installedFingerprint = fingerprint;
        lock (_gate)
        {
            ClearFailure(next);
        }

        LifecycleLog.CertificateSwitched(_log, _clientId, current.Thumbprint.ToString(), next.Thumbprint.ToString(), trigger, next.ToString());
        Report(next);
        return Count(ReloadOutcome.Switched, trigger);
    }

    private ReloadOutcome Unchanged(SigningIdentity current, string trigger)
    {
        lock (_gate)
        {
            ClearFailure(current);
        }

        return Count(ReloadOutcome.Unchanged, trigger);
    }

    /// <summary>
    /// A failure is reported by a periodic check that finds it again (a file event or a refusal only hints: a writer
    /// may be halfway through, and one write makes several events); a failed options change is reported at once.
    /// </summary>
    private ReloadOutcome Failed(Exception exception, byte[]? fingerprint, string trigger)
    {
        var failure = exception as CertificateCredentialException
            ?? new CertificateCredentialException(CertificateCredentialFailure.CertificateSourceFailed, $"Loading the key and certificate failed ({exception.GetType().Name}).", exception);
        lock (_gate)
        {
            var again = fingerprint is null ? _consecutiveFailures > 0 : Same(fingerprint, _failedFingerprint);
            _consecutiveFailures = again ? _consecutiveFailures + 1 : 1;
            _failedFingerprint = fingerprint;
            var report = trigger == ReloadTrigger.Options || (trigger == ReloadTrigger.Interval && _consecutiveFailures > 1);
            if (!report)
            {
                LifecycleLog.ReloadDeferred(_log, _clientId, failure.Failure);
                return Count(ReloadOutcome.Deferred, trigger);
            }

            Report(failure, trigger);
        }

        return Count(ReloadOutcome.Failed, trigger);
    }

    /// <summary>Logs a failure once per distinct failure and keeps it for the health check. Called under the lock.</summary>
    private void Report(CertificateCredentialException failure, string trigger)
    {
        var key = failure.Failure + ":" + failure.Message;
        if (key != _reportedKey)
        {
            _reportedKey = key;
            LifecycleLog.ReloadFailed(_log, _clientId, trigger, failure.Failure, failure.Message, _holder.Current.Thumbprint.ToString());
        }

        Volatile.Write(ref _reportedFailure, failure);
    }

    /// <summary>A good certificate serves (new or unchanged): any reported failure is over. Called under the lock.</summary>
    private void ClearFailure(SigningIdentity serving)
    {
        _consecutiveFailures = 0;
        _failedFingerprint = null;
        _reportedKey = null;
        if (Volatile.Read(ref _reportedFailure) is not null)
        {
            Volatile.Write(ref _reportedFailure, null);
            LifecycleLog.ReloadRecovered(_log, _clientId, serving.Thumbprint.ToString());
        }
    }

    /// <summary>Counts a check; a MeterListener that throws does not change its outcome (nor make a switch look failed).</summary>
    private static ReloadOutcome Count(ReloadOutcome outcome, string trigger)
    {
        try
        {
            CredentialTelemetry.CertificateReloads.Add(1,
                new KeyValuePair<string, object?>("outcome", outcome switch
                {
                    ReloadOutcome.Switched => "switched",
                    ReloadOutcome.Deferred => "deferred",
                    ReloadOutcome.Failed => "failed",
                    _ => "unchanged",
                }),
                new KeyValuePair<string, object?>("trigger", trigger));
        }
        catch (Exception)
        {
            // Reporting never changes what the credential does.
        }

        return outcome;
    }

    /// <summary>The key-loaded event and its warnings, for the first identity and each new one.</summary>
    private void Report(SigningIdentity identity)
    {
        CredentialLog.KeyLoaded(_log, _clientId, identity.ToString());
        foreach (var warning in identity.Warnings)
        {
            CredentialLog.KeyWarning(_log, warning);
        }

        if (identity.NotAfter is { } notAfter)
        {
            var left = notAfter - _time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                CredentialLog.CertificateExpired(_log, identity.Subject!, identity.Thumbprint.ToString(), notAfter);
            }
            else if (left <= TimeSpan.FromDays(30))
            {
                CredentialLog.CertificateExpiresSoon(_log, identity.Subject!, identity.Thumbprint.ToString(), notAfter, (int)left.TotalDays);
            }
        }
    }

    /// <summary>(Re)starts the periodic check and the file watching for the current source and interval. Called under the lock.</summary>
    private void Schedule()
    {
        Unschedule();
        if (_interval == TimeSpan.Zero || _source is OptionsCertificateSource { Files.Count: 0 })
        {
            return; // never re-read, or key and certificate given as text: nothing changes by itself
        }

        // The timer and the watchers hold the reloader weakly: a credential dropped undisposed is still collected.
        var self = new WeakReference<CertificateReloader>(this);
        _timer = WithoutFlow(() => _time.CreateTimer(static state =>
        {
            if (((WeakReference<CertificateReloader>)state!).TryGetTarget(out var reloader))
            {
                _ = reloader.CheckAsync(ReloadTrigger.Interval);
            }
        }, self, _interval, _interval));

        if (_source is OptionsCertificateSource fromOptions)
        {
            foreach (var directory in fromOptions.Files.Select(f => Path.GetDirectoryName(Path.GetFullPath(f))).OfType<string>().Distinct(StringComparer.Ordinal))
            {
                string? reason = null;
                var watch = WithoutFlow(() => DirectoryWatch.Subscribe(directory, () => self.TryGetTarget(out var reloader) && reloader.OnFileChanged(), out reason));
                if (watch is null)
                {
                    LifecycleLog.WatchUnavailable(_log, directory, reason ?? "unknown", _interval);
                }
                else
                {
                    _watches.Add(watch);
                }
            }
        }
    }

    private void Unschedule()
    {
        _timer?.Dispose();
        _timer = null;
        foreach (var watch in _watches)
        {
            watch.Dispose();
        }

        _watches = [];
    }

    private bool OnFileChanged()
    {
        if (Volatile.Read(ref _disposed))
        {
            return false;
        }

        _ = CheckAsync(ReloadTrigger.File);
        return true;
    }
}
