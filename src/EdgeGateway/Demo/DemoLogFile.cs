using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace EdgeGateway.Demo;

/// <summary>
/// The demo station's log as a file beside its other files, for when the live view redraws the terminal:
/// log lines written to the same terminal would tear through the view. Lines are formatted exactly as the
/// console's (<see cref="Hosting.Logging.StationConsoleFormatter"/>), one writer, flushed per line so the file
/// can be followed with <c>tail -f</c> while the demo runs.
/// </summary>
internal sealed class DemoLogFile : ILoggerProvider
{
    private readonly ConsoleFormatter _formatter;
    private readonly StreamWriter _writer;
    private readonly Lock _gate = new();
    private bool _disposed;

    public DemoLogFile(string path, ConsoleFormatter formatter)
    {
        _formatter = formatter;
        _writer = new StreamWriter(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
    }

    public ILogger CreateLogger(string categoryName) => new FileLogger(this, categoryName);

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _writer.Dispose();
        }
    }

    private void Write<TState>(in LogEntry<TState> entry)
    {
        using var line = new StringWriter();
        _formatter.Write(entry, null, line);
        lock (_gate)
        {
            if (!_disposed)
            {
                _writer.Write(line.ToString());
            }
        }
    }

    private sealed class FileLogger(DemoLogFile file, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                file.Write(new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter));
            }
        }
    }
}
