using System.Collections.Concurrent;

namespace CertCredentials.Azure.Tests.Infrastructure;

/// <summary>
/// A SynchronizationContext with one thread, as a UI thread or classic ASP.NET has: a continuation posted to it waits
/// until that thread is free, so code that blocks the thread on work that needs it deadlocks.
/// </summary>
internal sealed class SingleThreadedContext : SynchronizationContext, IDisposable
{
    private readonly BlockingCollection<(SendOrPostCallback Callback, object? State)> _queue = [];
    private readonly Thread _thread;
    private int _posts;

    private SingleThreadedContext()
    {
        _thread = new Thread(Pump) { IsBackground = true, Name = "single-threaded context" };
        _thread.Start();
    }

    /// <summary>Posts made to the context (continuations that asked for it).</summary>
    public int Posts => Volatile.Read(ref _posts);

    /// <summary>
    /// Runs <paramref name="action"/> on the context's thread and waits for it at most <paramref name="deadlockGuard"/>
    /// (not a speed bound: a deadlock never ends, and the test must).
    /// </summary>
    public static T Run<T>(Func<T> action, TimeSpan deadlockGuard)
    {
        using var context = new SingleThreadedContext();
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        context.Post(_ =>
        {
            try
            {
                done.SetResult(action());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        }, null);
        if (!done.Task.Wait(deadlockGuard))
        {
            throw new TimeoutException($"The call did not return within {deadlockGuard}: it deadlocked on the single-threaded context.");
        }

        return done.Task.Result;
    }

    public override void Post(SendOrPostCallback d, object? state)
    {
        Interlocked.Increment(ref _posts);
        _queue.Add((d, state));
    }

    public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException("Send would block on the context's own thread.");

    public void Dispose()
    {
        _queue.CompleteAdding();
        _thread.Join(TimeSpan.FromSeconds(5));
        _queue.Dispose();
    }

    private void Pump()
    {
        SetSynchronizationContext(this);
        foreach (var (callback, state) in _queue.GetConsumingEnumerable())
        {
            callback(state);
        }
    }
}
