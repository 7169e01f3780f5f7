using EdgeGateway.Core.Events;
using EdgeGateway.Core.Readings;

namespace EdgeGateway.Core.Rules;

/// <summary>
/// A sensor that rules depend on went faulty (<see cref="Faulty"/> true) or recovered. While it is faulty its
/// rules keep their levels: missing data never clears an alarm.
/// </summary>
public sealed class SensorFaultEventArgs(string sensorId, DateTimeOffset time, Quality quality, IReadOnlyList<string> ruleIds)
    : EventArgs
{
    public string SensorId { get; } = sensorId;
    public DateTimeOffset Time { get; } = time;

    /// <summary>The quality of the reading that changed the state (Good on recovery).</summary>
    public Quality Quality { get; } = quality;

    public bool Faulty => Quality != Quality.Good;

    /// <summary>The rules held at their level while the sensor is faulty.</summary>
    public IReadOnlyList<string> RuleIds { get; } = ruleIds;

    /// <summary>The <c>sensor-fault</c> / <c>sensor-recovered</c> event for the uplink.</summary>
    public StationEvent ToStationEvent() => new(
        Faulty ? StationEventTypes.SensorFault : StationEventTypes.SensorRecovered,
        Time,
        SensorId,
        Faulty
            ? $"sensor {SensorId} is faulty ({Quality}); rules {string.Join(", ", RuleIds)} keep their levels"
            : $"sensor {SensorId} recovered",
        new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["quality"] = QualityName(Quality),
            ["rules"] = RuleIds,
        });

    private static string QualityName(Quality quality) => quality switch
    {
        Quality.Good => "good",
        Quality.CommFault => "comm-fault",
        Quality.OutOfRange => "out-of-range",
        Quality.Stale => "stale",
        _ => quality.ToString(),
    };
}
