namespace EdgeGateway.Core.Threading;

/// <summary>
/// Wakes a loop that sleeps until there is work: <see cref="Set"/> wakes the current (or next) waiter once, and
/// several sets before it wakes count as one. The setter changes its state first and sets after; the waiter reads
/// that state after it woke, so a set folded into another loses nothing.
/// </summary>
public sealed class WakeSignal
{
    private TaskCompletionSource _set = New();

    /// <summary>Wakes the waiter, or the next one to wait when none is waiting now.</summary>
    public void Set() => Volatile.Read(ref _set).TrySetResult();

    /// <summary>Waits until <see cref="Set"/>.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        var set = Volatile.Read(ref _set);
        await set.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        Reset(set);
    }

    /// <summary>
    /// Waits until <see cref="Set"/> or until <paramref name="timeout"/> has passed on <paramref name="time"/>,
    /// whichever comes first. The timer is running when this returns (a test may then move a fake clock).
    /// </summary>
    /// <returns>True when woken by <see cref="Set"/>; false when the time passed or <paramref name="cancellationToken"/>
    /// was cancelled (the caller checks it).</returns>
    public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);
        var set = Volatile.Read(ref _set);
        using var timerStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timer = Task.Delay(timeout, time, timerStop.Token);
        var first = await Task.WhenAny(set.Task, timer).ConfigureAwait(false);

        // The timer that lost is cancelled; a cancelled delay raises nothing unobserved.
        await timerStop.CancelAsync().ConfigureAwait(false);
        if (first != set.Task)
        {
            return false;
        }

        Reset(set);
        return true;
    }

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    // A set landing between the wake-up and this reset folds into the one consumed: the waiter reads the state after.
    private void Reset(TaskCompletionSource consumed) => Interlocked.CompareExchange(ref _set, New(), consumed);
}
