namespace EdgeGateway.Demo;

/// <summary>One gauge as the live view shows it.</summary>
/// <param name="Value">The latest engineering value (NaN when not yet read or not good).</param>
/// <param name="History">Recent values, oldest first, drawn as a sparkline.</param>
/// <param name="Detail">A short derived figure, e.g. "52.0 mm/1h".</param>
/// <param name="Thresholds">Level thresholds to name beside the sparkline, lowest first.</param>
public sealed record SensorView(
    string Id,
    string Unit,
    double Value,
    string Quality,
    IReadOnlyList<double> History,
    string? Detail = null,
    IReadOnlyList<(string Level, double Threshold)>? Thresholds = null);

/// <summary>One rule's level and measure (measure NaN when unknown).</summary>
public sealed record RuleView(string Id, string Level, double Measure = double.NaN, double? NextThreshold = null);

/// <summary>The broadcast chain: what is playing (null when idle), relay states and what has been played.</summary>
public sealed record BroadcastView(string? Playing, bool AmplifierOn, bool ZonesOn, IReadOnlyList<string> Played);

/// <summary>The uplink as the station and the hub see it.</summary>
public sealed record UplinkView(
    bool Connected,
    long QueueDepth,
    int Alerts,
    int CapDocuments,
    int Events,
    int Telemetry,
    string? Status);

/// <summary>Everything one frame of the live view shows; the renderer is a pure function of this.</summary>
public sealed record DemoSnapshot(
    string StationId,
    DateTimeOffset SimulatedNow,
    TimeSpan StormElapsed,
    TimeSpan StormDuration,
    double Speed,
    string StationLevel,
    IReadOnlyList<SensorView> Sensors,
    IReadOnlyList<RuleView> Rules,
    BroadcastView Broadcast,
    UplinkView Uplink,
    IReadOnlyList<string> Recent);

/// <summary>What the closing summary reports.</summary>
public sealed record DemoSummary(
    string StationId,
    TimeSpan StormDuration,
    TimeSpan RealDuration,
    IReadOnlyList<string> Transitions,
    IReadOnlyList<string> BroadcastsPlayed,
    int AlertsDelivered,
    int CapDocuments,
    int EventsDelivered,
    int TelemetryDelivered,
    IReadOnlyList<string> DeliveryProblems,
    string? WavPath,
    TimeSpan WavDuration,
    IReadOnlyList<string> Failures,
    Sl651Confirmations? Sl651 = null)
{
    public bool Succeeded => Failures.Count == 0;
}

/// <summary>The reports the demo's SL 651 centre confirmed, by function, and the connections it dropped for garbage.</summary>
public sealed record Sl651Confirmations(int Timed, int Add, int Garbage);
