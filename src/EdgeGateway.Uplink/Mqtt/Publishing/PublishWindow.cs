namespace EdgeGateway.Uplink.Mqtt.Publishing;

/// <summary>
/// The QoS 1 publishes one connection may have awaiting PUBACK. Only the pump takes slots; each finished
/// publish (acknowledged, refused or failed) gives its slot back. A pump waiting for a slot is resumed on the
/// thread that gave it back rather than queued to the thread pool, which a SemaphoreSlim waiter always is:
/// in a backlog drain that wait ends once per PUBACK. (Waking the pump only once half the window was free,
/// to refill in bursts, was tried: against mosquitto on loopback the drain was several times slower.)
/// </summary>
internal sealed class PublishWindow
{
    private readonly Lock _lock = new();
    private readonly CancellationToken _cancellation;
    private int _free;
    private TaskCompletionSource? _waiter;

    public PublishWindow(int size, CancellationToken cancellationToken)
    {
        _free = size;
        _cancellation = cancellationToken;
        // One registration per connection rather than one per wait.
        cancellationToken.Register(() => TakeWaiter()?.TrySetCanceled(cancellationToken));
    }

    /// <summary>Completes once a slot is the caller's, or cancelled with the connection; one caller (the pump) at a time.</summary>
    public Task TakeAsync()
    {
        lock (_lock)
        {
            if (_free > 0)
            {
                _free--;
                return Task.CompletedTask;
            }

            // Checked under the lock the cancellation callback takes: a wait begun after it ran would never end.
            if (_cancellation.IsCancellationRequested)
            {
                return Task.FromCanceled(_cancellation);
            }

            // Continuations run on the releasing thread (no RunContinuationsAsynchronously), outside the lock.
            _waiter = new TaskCompletionSource();
            return _waiter.Task;
        }
    }

    /// <summary>Gives a slot back: straight to a waiting pump if there is one.</summary>
    public void Release()
    {
        var waiter = TakeWaiter(freeIfNone: true);
        waiter?.TrySetResult();
    }

    private TaskCompletionSource? TakeWaiter(bool freeIfNone = false)
    {
        lock (_lock)
        {
            var waiter = _waiter;
            _waiter = null;
            if (waiter is null && freeIfNone)
            {
                _free++;
            }

            return waiter;
        }
    }
}
