using EdgeGateway.Uplink.Mqtt.Publishing;

namespace EdgeGateway.Uplink.Tests.Mqtt.Publishing;

public sealed class PublishWindowTests
{
    [Fact]
    public void TakeAsync_WindowFull_ResumedInsideTheReleaseThatHandsItTheSlot()
    {
        using var connection = new CancellationTokenSource();
        var window = new PublishWindow(2, connection.Token);
        Assert.True(window.TakeAsync().IsCompletedSuccessfully);
        Assert.True(window.TakeAsync().IsCompletedSuccessfully);

        var third = window.TakeAsync();
        Assert.False(third.IsCompleted);
        var resumed = false;
        _ = third.ContinueWith(_ => resumed = true, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        window.Release();

        // Run before Release returned (not queued to the pool), and handed over rather than freed: the window is full again.
        Assert.True(resumed);
        Assert.False(window.TakeAsync().IsCompleted);
    }

    [Fact]
    public void TakeAsync_ConnectionCancelledWhileWaitingOrBefore_EndsCancelled()
    {
        using var connection = new CancellationTokenSource();
        var window = new PublishWindow(1, connection.Token);
        Assert.True(window.TakeAsync().IsCompletedSuccessfully);
        var waiting = window.TakeAsync();

        connection.Cancel();

        Assert.True(waiting.IsCanceled);
        Assert.True(window.TakeAsync().IsCanceled);
    }

    [Fact]
    public void Release_NobodyWaiting_FreesTheSlot()
    {
        using var connection = new CancellationTokenSource();
        var window = new PublishWindow(1, connection.Token);
        Assert.True(window.TakeAsync().IsCompletedSuccessfully);
        window.Release();

        Assert.True(window.TakeAsync().IsCompletedSuccessfully);
    }
}
