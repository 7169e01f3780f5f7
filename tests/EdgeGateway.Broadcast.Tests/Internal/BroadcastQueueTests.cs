using EdgeGateway.Broadcast.Internal;

namespace EdgeGateway.Broadcast.Tests.Internal;

public sealed class BroadcastQueueTests
{
    [Fact]
    public void Add_MixedPriorities_HighestFirstThenInArrivalOrder()
    {
        var queue = new BroadcastQueue();
        var test = Entry(BroadcastRequest.TestOf(silent: false));
        var prepare = Entry(new BroadcastRequest { Message = "prepare", Origin = BroadcastOrigin.Automatic, Rank = 1 });
        var evacuate = Entry(new BroadcastRequest { Message = "evacuate", Origin = BroadcastOrigin.Automatic, Rank = 2 });
        var first = Entry(BroadcastRequest.ForMessage("first"));
        var second = Entry(BroadcastRequest.ForMessage("second"));

        int[] places = [queue.Add(test), queue.Add(prepare), queue.Add(first), queue.Add(evacuate), queue.Add(second)];

        Assert.Equal([0, 0, 0, 1, 1], places);
        Assert.Equal(["first", "second", "evacuate", "prepare", "test"], queue.Items().Select(i => i.Message));
    }

    [Fact]
    public async Task Add_WhileWaiting_CompletesTheSignalReadBefore()
    {
        var queue = new BroadcastQueue();
        var added = queue.Added;
        Assert.False(added.IsCompleted);

        queue.Add(Entry(BroadcastRequest.ForMessage("prepare")));

        await added.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(queue.Added.IsCompleted);
    }

    [Fact]
    public void HasPlayableHead_SilentSelfTestAtTheHead_False()
    {
        var queue = new BroadcastQueue();
        queue.Add(Entry(BroadcastRequest.TestOf(silent: true)));

        Assert.True(queue.HeadIsSilent);
        Assert.False(queue.HasPlayableHead);

        queue.Add(Entry(BroadcastRequest.ForMessage("prepare")));
        Assert.True(queue.HasPlayableHead);
        Assert.Equal("prepare", queue.TakeHead().Request.Message);
    }

    [Fact]
    public void Clear_ReturnsWhatItHeldAndEmpties()
    {
        var queue = new BroadcastQueue();
        queue.Add(Entry(new BroadcastRequest { Message = "prepare", Key = "level:prepare" }));
        queue.Add(Entry(BroadcastRequest.ForMessage("note")));

        Assert.True(queue.Contains("level:prepare"));
        var dropped = queue.Clear();

        Assert.Equal(2, dropped.Count);
        Assert.Equal(0, queue.Count);
        Assert.False(queue.Contains("level:prepare"));
    }

    private static BroadcastEntry Entry(BroadcastRequest request) => new(request);
}
