using Microsoft.Extensions.Logging;

namespace CertCredentials.Tests.Infrastructure;

/// <summary>
/// A logger whose provider is broken: every event at <see cref="From"/> or above throws, as Microsoft.Extensions.Logging
/// passes a provider's exception up to the code that logged. Counts what it was asked to log.
/// </summary>
internal sealed class ThrowingLogger(LogLevel from = LogLevel.Trace) : ILogger
{
    private int _thrown;

    public LogLevel From { get; } = from;

    public int Thrown => Volatile.Read(ref _thrown);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => throw new InvalidOperationException("broken logging provider (scope)");

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (logLevel >= From)
        {
            Interlocked.Increment(ref _thrown);
            throw new InvalidOperationException($"broken logging provider (event {eventId.Id})");
        }
    }
}
