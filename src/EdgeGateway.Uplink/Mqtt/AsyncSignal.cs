namespace EdgeGateway.Uplink.Mqtt;

/// <summary>An auto-reset signal that can be awaited: <see cref="Set"/> wakes the current (or next) waiter once.</summary>
internal sealed class AsyncSignal
{
    private TaskCompletionSource _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Set() => Volatile.Read(ref _tcs).TrySetResult();

    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        var tcs = Volatile.Read(ref _tcs);
        await tcs.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        Interlocked.CompareExchange(ref _tcs, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), tcs);
    }
}
