namespace EdgeGateway.Demo;

/// <summary>
/// A clock that runs <see cref="Speed"/> times faster than an underlying clock, starting at a chosen
/// instant. Everything the station times (poll periods, rule windows, holds, clearAfter, broadcast
/// gaps, telemetry periods) reads this clock, so a whole storm plays out compressed in time.
/// Timers are scaled too: a timer due in 60 simulated seconds fires after 60/Speed real seconds, so
/// <c>PeriodicTimer</c>, <c>Task.Delay</c> and <c>CancellationTokenSource</c> given this provider keep
/// simulated time.
/// </summary>
public sealed class ScaledTimeProvider : TimeProvider
{
    private readonly TimeProvider _inner;
    private readonly long _originTimestamp;
    private readonly DateTimeOffset _start;

    /// <param name="start">The simulated instant at the moment of construction.</param>
    /// <param name="speed">Simulated seconds per real second; greater than zero.</param>
    /// <param name="inner">The real clock (the system clock when null).</param>
    public ScaledTimeProvider(DateTimeOffset start, double speed, TimeProvider? inner = null)
    {
        if (!double.IsFinite(speed) || speed <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(speed), speed, "The speed must be a positive number.");
        }

        _inner = inner ?? System;
        _start = start.ToUniversalTime();
        Speed = speed;
        _originTimestamp = _inner.GetTimestamp();
    }

    /// <summary>Simulated seconds per real second.</summary>
    public double Speed { get; }

    /// <summary>The simulated instant the clock started at.</summary>
    public DateTimeOffset Start => _start;

    public override TimeZoneInfo LocalTimeZone => _inner.LocalTimeZone;

    public override long TimestampFrequency => _inner.TimestampFrequency;

    public override DateTimeOffset GetUtcNow()
    {
        var realElapsed = _inner.GetElapsedTime(_originTimestamp);
        return _start + ScaleUp(realElapsed);
    }

    public override long GetTimestamp()
    {
        var realTicks = _inner.GetTimestamp() - _originTimestamp;
        return _originTimestamp + (long)(realTicks * Speed);
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return new ScaledTimer(_inner.CreateTimer(callback, state, ToReal(dueTime), ToReal(period)), this);
    }

    /// <summary>The real interval that lasts <paramref name="simulated"/> on this clock (infinite stays infinite).</summary>
    public TimeSpan ToReal(TimeSpan simulated)
    {
        if (simulated == Timeout.InfiniteTimeSpan || simulated <= TimeSpan.Zero)
        {
            return simulated;
        }

        // Never turn a positive interval into zero (a zero period means "fire once" to a timer), and
        // never below the system timer's millisecond resolution.
        var ticks = (long)Math.Round(simulated.Ticks / Speed);
        return TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, ticks));
    }

    private TimeSpan ScaleUp(TimeSpan real) => TimeSpan.FromTicks((long)(real.Ticks * Speed));

    private sealed class ScaledTimer(ITimer inner, ScaledTimeProvider clock) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(clock.ToReal(dueTime), clock.ToReal(period));

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
