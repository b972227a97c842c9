using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace CertCredentials.TestSupport;

/// <summary>A logger provider that keeps every entry at every level, for asserting events and scanning for secrets.</summary>
/// <remarks>One source, compiled into each test project (tests/Shared), so the suites assert logs the same way.</remarks>
internal sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<Entry> _entries = new();

    public IReadOnlyList<Entry> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, this);

    public ILogger<T> For<T>() => new Logger<T>(Factory());

    /// <summary>A logger factory whose loggers write here, for options that take an <see cref="ILoggerFactory"/>.</summary>
    public ILoggerFactory Factory() => new LoggerFactoryOverCapture(this);

    public ILogger Logger(string category = "CertCredentials") => CreateLogger(category);

    public IEnumerable<Entry> WithId(int id) => Entries.Where(e => e.EventId.Id == id);

    /// <summary>Every message and every structured value, as one text to scan.</summary>
    public string AllText() => string.Join("\n", Entries.Select(e => e.Message + " | " + string.Join(" | ", e.Values.Select(v => v.Value?.ToString())) + " | " + e.Exception));

    public void Dispose()
    {
    }

    /// <summary>
    /// One entry, its structured values kept as logged. Not the packaged FakeLogger: its records keep the values as
    /// text, and the suites check that events carry numbers, enums and times as such (a status code as 401).
    /// </summary>
    internal sealed record Entry(string Category, LogLevel Level, EventId EventId, string Message, IReadOnlyList<KeyValuePair<string, object?>> Values, Exception? Exception);

    private sealed class CapturingLogger(string category, LogCapture owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
            owner._entries.Enqueue(new Entry(category, logLevel, eventId, formatter(state, exception), [.. values], exception));
        }
    }

    private sealed class LoggerFactoryOverCapture(LogCapture owner) : ILoggerFactory
    {
        public void AddProvider(ILoggerProvider provider)
        {
        }

        public ILogger CreateLogger(string categoryName) => owner.CreateLogger(categoryName);

        public void Dispose()
        {
        }
    }
}
