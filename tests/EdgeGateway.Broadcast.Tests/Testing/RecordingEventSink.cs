using EdgeGateway.Core.Events;

namespace EdgeGateway.Broadcast.Tests.Testing;

/// <summary>Keeps every published event in order.</summary>
internal sealed class RecordingEventSink : IStationEventSink
{
    private readonly Lock _gate = new();
    private readonly List<StationEvent> _events = [];

    public IReadOnlyList<StationEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    public void Publish(StationEvent stationEvent)
    {
        lock (_gate)
        {
            _events.Add(stationEvent);
        }
    }

    public IReadOnlyList<StationEvent> OfType(string type) => [.. Events.Where(e => e.Type == type)];

    public int Count(string type) => Events.Count(e => e.Type == type);
}
