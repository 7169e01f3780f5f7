using System.Globalization;
using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Events;
using EdgeGateway.Core.Readings;
using EdgeGateway.Uplink.Cap;
using EdgeGateway.Uplink.Internal;
using EdgeGateway.Uplink.Outbox;
using EdgeGateway.Uplink.Payloads;
using EdgeGateway.Uplink.Record;

namespace EdgeGateway.Uplink.Mqtt;

/// <summary>
/// Turns readings, level transitions, events and command results into outbox messages: each is given its
/// seq and written (urgent at once, telemetry in batches) before anything is published. Never throws: a
/// message the outbox cannot take is logged and reported as a storage fault.
/// </summary>
internal sealed class MessageProducer(UplinkContext context, Outbox.Outbox? outbox)
{
    private const int MaxReadingsPerMessage = 500;

    private readonly Lock _readingsLock = new();
    private readonly List<Reading> _readings = [];
    private volatile CapMapping _cap = new(context.Options.Levels, context.Options.AllClearCap);
    private volatile bool _addFailed;

    /// <summary>The station's own record of what it uplinked; alerts and events go into it as they are sent.</summary>
    public EventRecord? Record { get; set; }

    /// <summary>Raised with the topic suffix and seq of each message the outbox took (urgent ones durably).</summary>
    public event Action<string, long>? Stored;

    /// <summary>Takes reloaded alert levels (CAP severity, urgency and texts).</summary>
    public void SetLevels(UplinkOptions options) => _cap = new CapMapping(options.Levels, options.AllClearCap);

    public void EnqueueTelemetry(IEnumerable<Reading> readings)
    {
        lock (_readingsLock)
        {
            _readings.AddRange(readings);
        }
    }

    public void EnqueueAlert(LevelTransition transition, bool exercise)
    {
        var severity = _cap.Severity(transition);
        var alertId = Guid.NewGuid();
        Add(Lane.Urgent, Topics.Alert, seq => PayloadWriter.Alert(context.Options.StationId, alertId, seq, transition, severity), (transition.Time, EventRecord.AlertType));
        AddCap(transition, exercise, severity, alertId);
    }

    public void EnqueueEvent(StationEvent stationEvent) =>
        Add(Lane.Urgent, Topics.Event, seq => PayloadWriter.Event(context.Options.StationId, Guid.NewGuid(), seq, stationEvent), (stationEvent.Time, stationEvent.Type));

    /// <summary>Turns the readings gathered so far into one (or more) telemetry messages now.</summary>
    public void CutTelemetry()
    {
        List<Reading> batch;
        lock (_readingsLock)
        {
            if (_readings.Count == 0)
            {
                return;
            }

            batch = [.. _readings];
            _readings.Clear();
        }

        var now = context.Time.GetUtcNow();
        for (var i = 0; i < batch.Count; i += MaxReadingsPerMessage)
        {
            var part = batch.GetRange(i, Math.Min(MaxReadingsPerMessage, batch.Count - i));
            Add(Lane.Telemetry, Topics.Telemetry,
                seq => PayloadWriter.Telemetry(context.Options.StationId, Guid.NewGuid(), now, seq, part, context.Options.SensorUnits));
        }
    }

    /// <summary>The answer to one command, for <c>P/S/cmd/result</c>.</summary>
    public void EnqueueResult(string? jti, bool ok, string? error, string? warning)
    {
        var now = context.Time.GetUtcNow();
        Add(Lane.Urgent, Topics.CommandResult,
            seq => PayloadWriter.Result(context.Options.StationId, Guid.NewGuid(), now, seq, jti, ok, error, warning));
    }

    public void AnnounceSkipped(SeqRange skipped)
    {
        Log.SeqSkipped(context.Logger, skipped.First, skipped.Last);
        EnqueueEvent(new StationEvent(StationEventTypes.SeqSkipped, context.Time.GetUtcNow(), UplinkService.OutboxStore,
            string.Create(CultureInfo.InvariantCulture,
                $"seqs {skipped.First}-{skipped.Last} were reserved before the last unclean stop and never stored; those not yet received will never come"),
            new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["from"] = skipped.First,
                ["to"] = skipped.Last,
            }));
    }

    public void OnTelemetryDropped(TelemetryDrop drop)
    {
        var ranges = string.Join(",", drop.Ranges.Select(r => r.First == r.Last
            ? r.First.ToString(CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{r.First}-{r.Last}")));
        Log.TelemetryDropped(context.Logger, drop.Count, drop.Bytes, ranges);
        EnqueueEvent(new StationEvent(StationEventTypes.TelemetryDropped, context.Time.GetUtcNow(), "outbox",
            $"queue limit reached: dropped {drop.Count} oldest telemetry message(s), seqs {ranges}",
            new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["count"] = drop.Count,
                ["bytes"] = drop.Bytes,
                ["seqs"] = drop.Ranges.Select(r => new long[] { r.First, r.Last }).ToList(),
            }));
    }

    private void AddCap(LevelTransition t, bool exercise, string severity, Guid alertId)
    {
        if (outbox is null)
        {
            return;
        }

        var key = "cap:" + (t.Scope == TransitionScope.Station ? LevelTransition.StationId : "rule:" + t.Id);
        var msgType = CapMapping.MsgType(t);
        string? references = null;
        if (msgType != "Alert")
        {
            try
            {
                references = outbox.Get(key);
            }
            catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or ObjectDisposedException)
            {
                Log.OutboxWriteFailed(context.Logger, e, Topics.AlertCap);
            }
        }

        var identifier = Guid.NewGuid().ToString("D");
        var sent = t.Time;
        var written = Add(Lane.Urgent, Topics.AlertCap, seq => CapWriter.Write(new CapAlert(
            identifier, context.Options.StationId, sent, exercise, msgType, references, t, severity,
            _cap.Urgency(t), _cap.ResponseType(t), context.Options.StationName, seq, alertId, context.Options.Language, _cap.Texts(t))));
        if (!written)
        {
            return;
        }

        try
        {
            // An Update or Cancel references the message it follows (CAP: "sender,identifier,sent").
            outbox.Set(key, CapWriter.Reference(context.Options.StationId, identifier, sent));
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or ObjectDisposedException)
        {
            Log.OutboxWriteFailed(context.Logger, e, Topics.AlertCap);
        }
    }

    // The one place every alert and event becomes its payload: recorded here (<paramref name="record"/>: when
    // and under which type) exactly as the hub is sent it.
    private bool Add(Lane lane, string topic, Func<long, byte[]> build, (DateTimeOffset Time, string Type)? record = null)
    {
        if (outbox is null)
        {
            return false;
        }

        OutboxMessage message;
        try
        {
            message = outbox.Add(lane, topic, build);
            if (record is { } r)
            {
                Record?.Add(r.Time, r.Type, message.Payload);
            }
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException or ObjectDisposedException)
        {
            // Only a seq mark that cannot be written once its block is used up gets here: no seq was given.
            Log.OutboxWriteFailed(context.Logger, e, topic);
            context.LastError = $"{UplinkService.OutboxStore}: {e.Message}";
            if (e is not ObjectDisposedException)
            {
                _addFailed = true;
                context.Storage?.Failed(UplinkService.OutboxStore, e.Message);
            }

            return false;
        }

        if (_addFailed)
        {
            _addFailed = false;
            if (outbox.Fault is null)
            {
                context.Storage?.Succeeded(UplinkService.OutboxStore);
            }
        }

        Stored?.Invoke(message.Topic, message.Seq);
        return true;
    }
}
