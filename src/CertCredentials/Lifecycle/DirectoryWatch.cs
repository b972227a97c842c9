namespace CertCredentials.Lifecycle;

/// <summary>
/// One <see cref="FileSystemWatcher"/> per directory for the whole process, shared by every credential whose key or
/// certificate lives there (Linux allows a user 128 inotify instances by default; a test run or a multi-tenant host
/// builds far more credentials than that). Any event in the directory (a write, a rename over the file, Kubernetes
/// re-pointing <c>..data</c>) tells every subscriber to check; the check itself compares content, so a spurious event
/// costs a hash. Where no watcher can be made, <see cref="Subscribe"/> says why and the periodic check remains.
/// </summary>
internal sealed class DirectoryWatch
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, DirectoryWatch> Watches = new(StringComparer.Ordinal);

    private readonly string _directory;
    private readonly FileSystemWatcher _watcher;
    private Func<bool>[] _subscribers = [];

    private DirectoryWatch(string directory, FileSystemWatcher watcher)
    {
        _directory = directory;
        _watcher = watcher;
        watcher.Changed += (_, _) => Notify();
        watcher.Created += (_, _) => Notify();
        watcher.Deleted += (_, _) => Notify();
        watcher.Renamed += (_, _) => Notify();
        watcher.Error += (_, _) => Notify(); // an overflow lost events: check rather than miss one
    }

    /// <summary>How many subscribers share the watcher of <paramref name="directory"/>; 0 when it is not watched (for tests).</summary>
    internal static int SubscribersOf(string directory)
    {
        lock (Gate)
        {
            return Watches.TryGetValue(Path.GetFullPath(directory), out var watch) ? watch._subscribers.Length : 0;
        }
    }

    /// <summary>
    /// Calls <paramref name="changed"/> on any change in <paramref name="directory"/> until the returned subscription
    /// is disposed or <paramref name="changed"/> returns false (its owner is gone). Null, with the reason, when the
    /// directory cannot be watched (it does not exist, or the system has no watchers left).
    /// </summary>
    public static IDisposable? Subscribe(string directory, Func<bool> changed, out string? reason)
    {
        reason = null;
        var full = Path.GetFullPath(directory);
        lock (Gate)
        {
            if (!Watches.TryGetValue(full, out var watch))
            {
                FileSystemWatcher? watcher = null;
                try
                {
                    watcher = new FileSystemWatcher(full)
                    {
                        IncludeSubdirectories = false,
                        NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                    };
                    watch = new DirectoryWatch(full, watcher);
                    watcher.EnableRaisingEvents = true;
                }
                catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException or PlatformNotSupportedException)
                {
                    watcher?.Dispose();
                    reason = e is ArgumentException ? "the directory does not exist" : $"{e.GetType().Name}: {e.Message}";
                    return null;
                }

                Watches.Add(full, watch);
            }

            watch._subscribers = [.. watch._subscribers, changed];
            return new Subscription(watch, changed);
        }
    }

    private void Notify()
    {
        foreach (var subscriber in Volatile.Read(ref _subscribers))
        {
            bool alive;
            try
            {
                alive = subscriber();
            }
            catch (Exception)
            {
                // A subscriber's failure must not stop the others from hearing of the change.
                alive = true;
            }

            if (!alive)
            {
                Remove(subscriber);
            }
        }
    }

    private void Remove(Func<bool> subscriber)
    {
        lock (Gate)
        {
            var index = Array.IndexOf(_subscribers, subscriber);
            if (index < 0)
            {
                return;
            }

            _subscribers = [.. _subscribers[..index], .. _subscribers[(index + 1)..]];
            if (_subscribers.Length == 0)
            {
                Watches.Remove(_directory);
                _watcher.Dispose();
            }
        }
    }

    private sealed class Subscription(DirectoryWatch watch, Func<bool> changed) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                watch.Remove(changed);
            }
        }
    }
}
