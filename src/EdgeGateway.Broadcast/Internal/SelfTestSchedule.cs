namespace EdgeGateway.Broadcast.Internal;

/// <summary>
/// One silent self-test per period (none while the period is zero); a reload that changes the period starts
/// the count again from then.
/// </summary>
internal sealed class SelfTestSchedule(TimeSpan period, TimeProvider time) : IDisposable
{
    private readonly Lock _gate = new();
    private TimeSpan _period = period;
    private CancellationTokenSource _changed = new();

    /// <summary>Puts <paramref name="next"/> in force; a different period restarts the count.</summary>
    public void Change(TimeSpan next)
    {
        CancellationTokenSource? changed = null;
        lock (_gate)
        {
            if (next == _period)
            {
                return;
            }

            _period = next;
            changed = _changed;
            _changed = new CancellationTokenSource();
        }

        try
        {
            changed.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Disposed at shutdown meanwhile: nothing is scheduled any more.
        }
    }

    /// <summary>Calls <paramref name="due"/> at the end of each period until cancelled.</summary>
    public async Task RunAsync(Action due, CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan period;
            CancellationToken changed;
            lock (_gate)
            {
                period = _period;
                changed = _changed.Token;
            }

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, changed);
            try
            {
                await Task.Delay(period > TimeSpan.Zero ? period : Timeout.InfiniteTimeSpan, time, wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                continue;
            }

            due();
        }
    }

    public void Dispose() => _changed.Dispose();
}
