using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Hardware.Tests.Testing;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that knows which timers are pending, so a test can move time exactly
/// to the next moment the code under test waits for, and never past one it has not yet reached. Code that
/// is busy (no timer pending) is waited for, never skipped over.
/// </summary>
internal sealed class TestClock : FakeTimeProvider
{
    public static readonly DateTimeOffset Epoch = new(2026, 7, 1, 3, 0, 0, TimeSpan.Zero);

    private readonly Lock _gate = new();
    private readonly List<TrackedTimer> _timers = [];
    private TaskCompletionSource _created = NewSignal();

    public TestClock()
        : base(Epoch)
    {
    }

    /// <summary>Real time a wait may take before the test fails (the CI machine is slow and loaded).</summary>
    public static TimeSpan RealTimeout { get; } = TimeSpan.FromSeconds(60);

    public TimeSpan Elapsed => GetUtcNow() - Epoch;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var tracked = new TrackedTimer(this);
        tracked.Schedule(dueTime, period);
        lock (_gate)
        {
            _timers.Add(tracked);
            var signal = _created;
            _created = NewSignal();
            signal.TrySetResult();
        }

        tracked.Inner = base.CreateTimer(s => { tracked.Fired(); callback(s); }, state, dueTime, period);
        return tracked;
    }

    /// <summary>The earliest time a pending timer fires, if any.</summary>
    public DateTimeOffset? NextDue()
    {
        lock (_gate)
        {
            return _timers.Select(t => t.Due).OfType<DateTimeOffset>().DefaultIfEmpty().Min() is var min && min != default ? min : null;
        }
    }

    /// <summary>
    /// Fires timers one due time after another until <paramref name="done"/> holds. Never advances more than
    /// <paramref name="maxStep"/> at once (a far timer, such as a weekly schedule, is not jumped to).
    /// </summary>
    public async Task RunUntilAsync(Func<bool> done, TimeSpan? maxStep = null, string? what = null)
    {
        var limit = maxStep ?? TimeSpan.FromMinutes(10);
        var watch = Stopwatch.StartNew();
        while (!done())
        {
            if (watch.Elapsed > RealTimeout)
            {
                throw new TimeoutException($"not reached within {RealTimeout.TotalSeconds} s real time: {what ?? "condition"} (fake time {Elapsed})");
            }

            Task created;
            lock (_gate)
            {
                created = _created.Task;
            }

            if (NextDue() is { } due && (limit == TimeSpan.MaxValue || due - GetUtcNow() <= limit))
            {
                Advance(due > GetUtcNow() ? due - GetUtcNow() : TimeSpan.Zero);
                continue;
            }

            // Busy, or idle: wait for the next timer (or for the condition, checked again shortly).
            await Task.WhenAny(created, Task.Delay(TimeSpan.FromMilliseconds(20))).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Moves time forward by <paramref name="step"/> while the code under test waits on a timer due later
    /// than that (mid-clip, mid-gap): waits until such a timer is pending, so time never runs ahead of code
    /// that is still busy. Fails if a timer would fire inside the step.
    /// </summary>
    public async Task AdvanceWithinAsync(TimeSpan step)
    {
        await RunUntilAsync(() => NextDue() is not null, TimeSpan.Zero, "a pending timer").ConfigureAwait(false);
        var due = NextDue()!.Value;
        if (due <= GetUtcNow() + step)
        {
            throw new InvalidOperationException($"a timer is due at {due - Epoch}, inside the step to {Elapsed + step}");
        }

        Advance(step);
    }

    private void Remove(TrackedTimer timer)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class TrackedTimer(TestClock clock) : ITimer
    {
        private readonly Lock _gate = new();
        private DateTimeOffset? _due;
        private TimeSpan _period;

        public ITimer? Inner { get; set; }

        public DateTimeOffset? Due
        {
            get
            {
                lock (_gate)
                {
                    return _due;
                }
            }
        }

        public void Schedule(TimeSpan dueTime, TimeSpan period)
        {
            lock (_gate)
            {
                _due = dueTime == Timeout.InfiniteTimeSpan ? null : clock.GetUtcNow() + dueTime;
                _period = period;
            }
        }

        public void Fired()
        {
            lock (_gate)
            {
                _due = _period == Timeout.InfiniteTimeSpan || _period == TimeSpan.Zero ? null : _due + _period;
            }
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Schedule(dueTime, period);
            return Inner?.Change(dueTime, period) ?? true;
        }

        public void Dispose()
        {
            clock.Remove(this);
            Inner?.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
