using Microsoft.Extensions.Logging;

namespace CertCredentials.Diagnostics;

/// <summary>
/// The caller's logger, made unable to throw into the library. Microsoft.Extensions.Logging passes a provider's
/// exception up to the code that logged; a log event must never change what a caller of the credential gets (a token,
/// or the failure that really happened), nor leave a shared request unfinished. What a broken logger throws is dropped:
/// there is nowhere left to report it.
/// </summary>
internal sealed class GuardedLogger : ILogger
{
    private readonly ILogger _inner;

    private GuardedLogger(ILogger inner)
    {
        _inner = inner;
    }

    /// <summary>The logger guarded (once: a guarded logger is returned as is).</summary>
    public static ILogger For(ILogger logger) => logger as GuardedLogger ?? (ILogger)new GuardedLogger(logger);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull
    {
        try
        {
            return _inner.BeginScope(state);
        }
        catch (Exception)
        {
            return null;
        }
    }

    public bool IsEnabled(LogLevel logLevel)
    {
        try
        {
            return _inner.IsEnabled(logLevel);
        }
        catch (Exception)
        {
            return false;
        }
    }

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            _inner.Log(logLevel, eventId, state, exception, formatter);
        }
        catch (Exception)
        {
            // Dropped on purpose (see the summary).
        }
    }
}
