using System.Collections.Concurrent;

namespace EdgeGateway.Control;

/// <summary>
/// Lets one log line per kind of trouble through per period and counts the rest, so a fault that repeats
/// thousands of times a second (a descriptor shortage, a connection flood) costs one line a minute.
/// </summary>
public sealed class LogRateLimiter
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _period;
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    public LogRateLimiter(TimeProvider time, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(period, TimeSpan.Zero);
        _time = time;
        _period = period;
    }

    /// <summary>
    /// Whether a line of <paramref name="kind"/> may be written now; when it may, <paramref name="suppressed"/>
    /// is how many of that kind were held back since the last one written.
    /// </summary>
    public bool TryAcquire(string kind, out long suppressed)
    {
        ArgumentNullException.ThrowIfNull(kind);
        var now = _time.GetTimestamp();
        var window = _windows.GetOrAdd(kind, _ => new Window());
        lock (window)
        {
            if (window.Written && _time.GetElapsedTime(window.LastWritten, now) < _period)
            {
                window.Suppressed++;
                suppressed = 0;
                return false;
            }

            suppressed = window.Suppressed;
            window.Suppressed = 0;
            window.LastWritten = now;
            window.Written = true;
            return true;
        }
    }

    private sealed class Window
    {
        public bool Written { get; set; }

        public long LastWritten { get; set; }

        public long Suppressed { get; set; }
    }
}
