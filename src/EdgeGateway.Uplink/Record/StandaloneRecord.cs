using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Events;
using EdgeGateway.Core.Monitoring;
using EdgeGateway.Uplink.Cap;
using EdgeGateway.Uplink.Payloads;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Uplink.Record;

/// <summary>
/// The record of a station without an MQTT uplink: the same <see cref="EventRecord"/> file, each entry the payload
/// the hub would have been sent, numbered by a <c>seq</c> of the record's own (going on from the highest kept),
/// so <c>edgegw events</c> reads the same on every station. A station with an MQTT uplink records through
/// it instead, with the seq the hub sees.
/// </summary>
public sealed class StandaloneRecord : IDisposable
{
    private readonly string _stationId;
    private readonly CapMapping _cap;
    private long _seq;

    public StandaloneRecord(string stationId, AlertLevels levels, string storagePath, TimeProvider time, ILogger logger, StorageHealth? storage)
    {
        ArgumentNullException.ThrowIfNull(levels);
        _stationId = stationId;
        _cap = new CapMapping(levels);
        Record = EventRecord.TryOpen(storagePath, time, logger, () => storage);
        _seq = Record?.LastSeq() ?? 0;
    }

    /// <summary>The record; null when it could not be opened.</summary>
    public EventRecord? Record { get; }

    public void Add(LevelTransition transition)
    {
        ArgumentNullException.ThrowIfNull(transition);
        Record?.Add(transition.Time, EventRecord.AlertType,
            PayloadWriter.Alert(_stationId, Guid.NewGuid(), Interlocked.Increment(ref _seq), transition, _cap.Severity(transition)));
    }

    public void Add(StationEvent stationEvent)
    {
        ArgumentNullException.ThrowIfNull(stationEvent);
        Record?.Add(stationEvent.Time, stationEvent.Type,
            PayloadWriter.Event(_stationId, Guid.NewGuid(), Interlocked.Increment(ref _seq), stationEvent));
    }

    public void Dispose() => Record?.Dispose();
}
