using CertCredentials.Tool.Cli;
using Microsoft.Extensions.Logging;

namespace CertCredentials.Tool.Configuration;

/// <summary>
/// Shows the library's own warnings (a key file readable by others, a certificate about to expire, a retry) on stderr
/// as "warning: ..." lines; with <c>--verbose</c> its informational logs as well. Errors are left out: the command
/// reports the failure itself, once. The library never logs a secret, so its messages are printed as they are.
/// </summary>
internal sealed class StderrLoggerProvider : ILoggerProvider
{
    private readonly TextWriter _error;
    private readonly bool _verbose;
    private readonly Lock _lock = new();

    public StderrLoggerProvider(TextWriter error, bool verbose)
    {
        _error = error;
        _verbose = verbose;
    }

    public ILogger CreateLogger(string categoryName) =>
        categoryName.StartsWith("CertCredentials", StringComparison.Ordinal) ? new StderrLogger(this) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public void Dispose()
    {
    }

    private bool IsEnabled(LogLevel level) => level == LogLevel.Warning || (_verbose && level is >= LogLevel.Debug and < LogLevel.Error);

    private void Write(LogLevel level, string message)
    {
        lock (_lock)
        {
            _error.WriteLine($"{(level == LogLevel.Warning ? "warning" : "info")}: {FailureReporter.OneLine(message)}");
            _error.Flush();
        }
    }

    private sealed class StderrLogger(StderrLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => provider.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (provider.IsEnabled(logLevel))
            {
                provider.Write(logLevel, formatter(state, exception));
            }
        }
    }
}
