using EdgeGateway.Core.Events;
using EdgeGateway.Core.Readings;

namespace EdgeGateway.Tests.TestSupport;

/// <summary>Keeps every station event (and ignores readings), for tests that look at what was reported.</summary>
internal sealed class ListSink : IStationEventSink, IReadingSink
{
    private readonly List<StationEvent> _events = [];

    public IReadOnlyList<StationEvent> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    public void Publish(StationEvent stationEvent)
    {
        lock (_events)
        {
            _events.Add(stationEvent);
        }
    }

    public void Publish(Reading reading)
    {
    }
}
