using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace CertCredentials.StackExchangeRedis.Tests.Infrastructure;

/// <summary>Keeps every log event of the instances (their level, id and formatted message).</summary>
internal sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<Entry> _entries = new();

    public IReadOnlyList<Entry> Entries => [.. _entries];

    public IEnumerable<Entry> WithId(int id) => Entries.Where(e => e.EventId == id);

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this);

    public void Dispose()
    {
    }

    internal sealed record Entry(LogLevel Level, int EventId, string Message);

    private sealed class CapturingLogger(LogCapture owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._entries.Enqueue(new Entry(logLevel, eventId.Id, formatter(state, exception)));
    }
}
