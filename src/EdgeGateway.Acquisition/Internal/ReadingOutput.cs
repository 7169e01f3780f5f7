using EdgeGateway.Core.Events;
using EdgeGateway.Core.Readings;

namespace EdgeGateway.Acquisition.Internal;

/// <summary>Keeps readings for the history, with the raw counter value of rain-total sensors.</summary>
internal interface IReadingRecorder
{
    void Record(Reading reading, double? raw);
}

/// <summary>
/// Where every sensor's readings and events go: the history first (so a reading the pipeline has seen is one a
/// restart can find), then the station pipeline. Neither blocks: both queue internally.
/// </summary>
internal sealed class ReadingOutput(IReadingSink readings, IStationEventSink events, IReadingRecorder? history)
{
    public void Publish(Reading reading, double? raw = null)
    {
        history?.Record(reading, raw);
        readings.Publish(reading);
    }

    public void Publish(StationEvent stationEvent) => events.Publish(stationEvent);
}
