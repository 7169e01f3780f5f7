using EdgeGateway.Core.Threading;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Core.Tests.Threading;

public sealed class WakeSignalTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task WaitAsync_SetBeforeTheWait_ReturnsAtOnceAndConsumesIt()
    {
        var signal = new WakeSignal();
        var time = new FakeTimeProvider();
        signal.Set();
        signal.Set();

        Assert.True(await signal.WaitAsync(TimeSpan.FromMinutes(1), time, CancellationToken.None).WaitAsync(Wait));

        // Two sets before the wake-up count as one: the next wait sleeps until its timer.
        var next = signal.WaitAsync(TimeSpan.FromMinutes(1), time, CancellationToken.None);
        Assert.False(next.IsCompleted);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.False(await next.WaitAsync(Wait));
    }

    [Fact]
    public async Task WaitAsync_SetWhileWaiting_WakesTheWaiterBeforeItsTimer()
    {
        var signal = new WakeSignal();
        var waiting = signal.WaitAsync(TimeSpan.FromMinutes(1), new FakeTimeProvider(), CancellationToken.None);
        Assert.False(waiting.IsCompleted);

        signal.Set();

        Assert.True(await waiting.WaitAsync(Wait));
    }

    [Fact]
    public async Task WaitAsync_Cancelled_ReturnsFalseWithoutConsumingALaterSet()
    {
        var signal = new WakeSignal();
        using var cancel = new CancellationTokenSource();
        var waiting = signal.WaitAsync(Timeout.InfiniteTimeSpan, new FakeTimeProvider(), cancel.Token);

        await cancel.CancelAsync();

        Assert.False(await waiting.WaitAsync(Wait));
        signal.Set();
        await signal.WaitAsync(CancellationToken.None).WaitAsync(Wait);
    }

    [Fact]
    public async Task WaitAsync_NoTimeout_ThrowsWhenCancelled()
    {
        var signal = new WakeSignal();
        using var cancel = new CancellationTokenSource();
        var waiting = signal.WaitAsync(cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Wait));
    }
}
