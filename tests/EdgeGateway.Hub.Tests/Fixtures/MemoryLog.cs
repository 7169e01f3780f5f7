using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Hub.Tests.Fixtures;

/// <summary>Log lines kept in memory, to say what a component was doing when a test's wait ran out.</summary>
internal sealed class MemoryLog : ILogger
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        _lines.Enqueue($"{TimeProvider.System.GetUtcNow():HH:mm:ss.fff} {logLevel} {formatter(state, exception)}");
        while (_lines.Count > 40 && _lines.TryDequeue(out _))
        {
        }
    }

    public override string ToString() => string.Join("\n", _lines);
}
