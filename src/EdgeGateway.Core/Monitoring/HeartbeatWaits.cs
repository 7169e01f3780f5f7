namespace EdgeGateway.Core.Monitoring;

/// <summary>
/// Waiting that still proves progress. A loop that waits legitimately (idle for work, backing off from a broker,
/// playing a two-minute message) beats every <c>interval</c> while it waits; a call that is still running past
/// the time it can legitimately take stops the beats, so the watchdog sees a hang rather than a long wait.
/// </summary>
public static class HeartbeatWaits
{
    /// <summary>
    /// Awaits <paramref name="operation"/>, beating every <paramref name="interval"/> (and once now) while it has
    /// run for no longer than <paramref name="allowance"/> (<see cref="Timeout.InfiniteTimeSpan"/>: an idle wait
    /// with no limit) and <paramref name="healthy"/>, if given, holds. Exceptions of the operation propagate.
    /// </summary>
    public static async Task WaitBeatingAsync(
        this ILoopHeartbeat? heartbeat,
        Task operation,
        TimeSpan allowance,
        TimeSpan interval,
        TimeProvider time,
        Func<bool>? healthy = null)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        if (heartbeat is null)
        {
            await operation.ConfigureAwait(false);
            return;
        }

        var started = time.GetTimestamp();
        while (true)
        {
            if (operation.IsCompleted)
            {
                // A wait that needed no waiting is still a turn of the loop.
                BeatIfDue();
                break;
            }

            // The next wake-up exists before the beat: whoever watches the beats may move the clock on at once.
            using var wake = new CancellationTokenSource();
            var tick = Task.Delay(interval, time, wake.Token);
            BeatIfDue();
            await Task.WhenAny(operation, tick).ConfigureAwait(false);
            await wake.CancelAsync().ConfigureAwait(false);
        }

        await operation.ConfigureAwait(false);

        void BeatIfDue()
        {
            var withinAllowance = allowance == Timeout.InfiniteTimeSpan || time.GetElapsedTime(started) <= allowance;
            if (withinAllowance && (healthy is null || healthy()))
            {
                heartbeat.Beat();
            }
        }
    }

    /// <summary>
    /// Awaits <paramref name="operation"/> (of a result) with the same beats as
    /// <see cref="WaitBeatingAsync(ILoopHeartbeat?, Task, TimeSpan, TimeSpan, TimeProvider, Func{bool}?)"/>.
    /// </summary>
    public static async Task<T> WaitBeatingAsync<T>(
        this ILoopHeartbeat? heartbeat,
        Task<T> operation,
        TimeSpan allowance,
        TimeSpan interval,
        TimeProvider time,
        Func<bool>? healthy = null)
    {
        await heartbeat.WaitBeatingAsync((Task)operation, allowance, interval, time, healthy).ConfigureAwait(false);
        return await operation.ConfigureAwait(false);
    }
}
