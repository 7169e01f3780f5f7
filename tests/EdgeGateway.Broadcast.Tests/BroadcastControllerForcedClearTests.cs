using EdgeGateway.Core.Events;
using EdgeGateway.Broadcast.Tests.Testing;

namespace EdgeGateway.Broadcast.Tests;

public sealed class BroadcastControllerForcedClearTests
{
    [Fact]
    public async Task OnStationLevelChanged_ForcedReturnToNone_EndsLevelBroadcastWithoutAllClear()
    {
        await using var rig = await new BroadcastRig().StartAsync();
        rig.Controller.OnStationLevelChanged("none", "evacuate");
        await rig.RunUntilAsync(() => rig.Controller.State.Phase == BroadcastPhase.Gap, "first gap");

        var queued = rig.Controller.OnStationLevelChanged("evacuate", "none", allClear: false);
        await rig.RunUntilIdleAsync();

        Assert.Null(queued);
        var finished = rig.Events.EventsOf(StationEventTypes.BroadcastFinished);
        Assert.Equal(["evacuate"], finished.Select(e => e.Source));
        Assert.DoesNotContain(rig.Sounds(), s => Math.Abs(s.FrequencyHz - BroadcastRig.AllClearHz) < 5);
    }
}
