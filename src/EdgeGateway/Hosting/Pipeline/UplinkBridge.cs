using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Events;
using EdgeGateway.Core.Readings;
using EdgeGateway.Uplink;

namespace EdgeGateway.Hosting.Pipeline;

/// <summary>Hands the pipeline's readings, transitions and events to the hub link's outbox.</summary>
public sealed class UplinkBridge(IUplink uplink) : IAlertObserver, IReadingObserver, IEventObserver
{
    public void OnTransitions(IReadOnlyList<LevelTransition> transitions)
    {
        ArgumentNullException.ThrowIfNull(transitions);
        foreach (var t in transitions)
        {
            uplink.EnqueueAlert(t);
        }
    }

    public void OnReadings(IReadOnlyList<Reading> readings) => uplink.EnqueueTelemetry(readings);

    public void OnEvent(StationEvent stationEvent) => uplink.EnqueueEvent(stationEvent);
}
