namespace EdgeGateway.Core.Events;

/// <summary>
/// Something a station operator or the hub should know about: uplinked on <c>P/S/event</c> and logged.
/// <see cref="Type"/> is one of <see cref="StationEventTypes"/>; <see cref="Source"/> names the part
/// (a sensor, rule, bus, message or command id); <see cref="Data"/> holds JSON-friendly details.
/// </summary>
public sealed record StationEvent(
    string Type,
    DateTimeOffset Time,
    string? Source = null,
    string? Message = null,
    IReadOnlyDictionary<string, object?>? Data = null);

/// <summary>The event names the hub relies on (kebab case, stable).</summary>
public static class StationEventTypes
{
    public const string BroadcastStarted = "broadcast-started";
    public const string BroadcastFinished = "broadcast-finished";
    public const string BroadcastFailed = "broadcast-failed";
    public const string SelfTest = "self-test";
    public const string SensorFault = "sensor-fault";
    public const string SensorRecovered = "sensor-recovered";
    public const string CounterReset = "counter-reset";
    public const string ConfigApplied = "config-applied";
    public const string ConfigRejected = "config-rejected";
    public const string CommandAccepted = "command-accepted";
    public const string CommandRefused = "command-refused";
    public const string OperatorAction = "operator-action";
    public const string TelemetryDropped = "telemetry-dropped";
    public const string SeqSkipped = "seq-skipped";
    public const string StorageFault = "storage-fault";
    public const string StorageRecovered = "storage-recovered";
    public const string Power = "power";
    public const string Tamper = "tamper";
    public const string CommandKeyFault = "command-key-fault";

    /// <summary>Every type above (for checking and suggesting a type someone typed).</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        BroadcastStarted, BroadcastFinished, BroadcastFailed, SelfTest, SensorFault, SensorRecovered, CounterReset,
        ConfigApplied, ConfigRejected, CommandAccepted, CommandRefused, OperatorAction, TelemetryDropped, SeqSkipped,
        StorageFault, StorageRecovered, Power, Tamper, CommandKeyFault,
    ];
}

/// <summary>Where events go: the uplink outbox, the log, the status view. Implementations never throw.</summary>
public interface IStationEventSink
{
    void Publish(StationEvent stationEvent);
}
