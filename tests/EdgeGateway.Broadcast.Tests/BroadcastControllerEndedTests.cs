using EdgeGateway.Broadcast.Tests.Testing;

namespace EdgeGateway.Broadcast.Tests;

/// <summary><see cref="BroadcastController.Ended"/>: what <c>--wait</c> is told, once per accepted request.</summary>
public sealed class BroadcastControllerEndedTests
{
    [Fact]
    public async Task Ended_PreemptedPlayThenCompletedHubAndAPassedSilentTest_OncePerRequestById()
    {
        await using var rig = await new BroadcastRig().StartAsync();
        var ends = new List<BroadcastEnd>();
        rig.Controller.Ended += e =>
        {
            lock (ends)
            {
                ends.Add(e);
            }
        };

        var play = rig.Controller.Enqueue(BroadcastRequest.ForMessage("prepare", 3));
        await rig.RunUntilAsync(() => rig.Controller.State.Phase == BroadcastPhase.Playing, "play playing");
        var hub = rig.Controller.Enqueue(BroadcastRequest.ForMessage("hub", 1, BroadcastOrigin.Hub) with { Rank = 5 });
        await rig.RunUntilIdleAsync();
        var test = rig.Controller.Test(silent: true);
        await rig.RunUntilIdleAsync();

        Assert.Equal(
            [(play.Id, "preempted", false), (hub.Id, "completed", true), (test.Id, "passed", true)],
            ends.Select(e => (e.Id, e.Outcome, e.Ok)));
    }

    [Fact]
    public async Task Ended_StopDropsTheQueue_EachDroppedRequestEndsStopped()
    {
        await using var rig = await new BroadcastRig().StartAsync();
        var ends = new List<BroadcastEnd>();
        rig.Controller.Ended += e =>
        {
            lock (ends)
            {
                ends.Add(e);
            }
        };
        rig.Controller.OnStationLevelChanged("none", "prepare");
        await rig.RunUntilAsync(() => rig.Controller.State.Phase == BroadcastPhase.Playing, "prepare playing");
        var waiting = rig.Controller.Test(silent: false);

        rig.Controller.Stop();
        await rig.RunUntilIdleAsync();

        var dropped = Assert.Single(ends, e => e.Id == waiting.Id);
        Assert.Equal("stopped", dropped.Outcome);
        Assert.False(dropped.Ok);
        Assert.Contains("before it played", dropped.Error, StringComparison.Ordinal);
        Assert.Contains(ends, e => e.Outcome == "stopped" && e.Id != waiting.Id);
    }
}
