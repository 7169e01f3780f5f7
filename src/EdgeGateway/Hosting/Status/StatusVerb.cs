using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeGateway.Acquisition;
using EdgeGateway.Acquisition.Sensors;
using EdgeGateway.Configuration;
using EdgeGateway.Control;
using EdgeGateway.Core.Readings;
using EdgeGateway.Core.Rules;
using EdgeGateway.Broadcast;
using EdgeGateway.Hosting.Health;
using EdgeGateway.Hosting.Pipeline;
using EdgeGateway.Hosting.Reload;
using EdgeGateway.Hosting.Watchdog;
using EdgeGateway.Uplink;
using EdgeGateway.Uplink.Sl651;

namespace EdgeGateway.Hosting.Status;

/// <summary>
/// <c>status</c> on the control socket (what <c>edgegw status</c> prints): version, uptime,
/// configuration hash and any refused reload, sensors, rule and station levels, broadcast, uplink
/// and outbox depth, loop progress and health. Parts the station does not run are absent.
/// </summary>
public sealed class StatusVerb(
    TimeProvider time,
    HealthCollector health,
    StationPipeline? pipeline = null,
    IStationConfigMonitor? config = null,
    BroadcastController? broadcast = null,
    IUplink? uplink = null,
    ProgressMonitor? progress = null,
    AcquisitionService? acquisition = null,
    Sl651Station? sl651 = null) : IControlVerb
{
    public string Name => "status";

    public Task<JsonNode?> HandleAsync(JsonObject args, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var status = new JsonObject
        {
            ["version"] = StationHost.Version,
            ["time"] = now.ToString("O", CultureInfo.InvariantCulture),
        };
        if (config is not null)
        {
            status["station"] = config.Current.Station.Id;
            var configuration = new JsonObject { ["hash"] = config.CurrentHash, ["appliedAt"] = config.AppliedAt };
            if (config.LastRejection is { } rejected)
            {
                configuration["rejected"] = new JsonObject
                {
                    ["time"] = rejected.Time,
                    ["hash"] = rejected.Hash,
                    ["errors"] = new JsonArray([.. rejected.Errors.Select(e => (JsonNode?)JsonValue.Create(e))]),
                };
            }

            if (config.RestartNeededFor.Count > 0)
            {
                configuration["restartNeededFor"] = new JsonArray([.. config.RestartNeededFor.Select(e => (JsonNode?)JsonValue.Create(e))]);
            }

            status["config"] = configuration;
        }

        if (pipeline is not null)
        {
            status["stationLevel"] = pipeline.StationLevel;
            status["rules"] = new JsonArray([.. pipeline.Engine.GetRuleStatuses().Select(r => (JsonNode?)RuleJson(r))]);
            status["sensors"] = acquisition is not null && config is not null
                ? new JsonArray([.. SensorsJson(acquisition, config.Current, now)])
                : new JsonArray([.. pipeline.Sensors.Select(s => (JsonNode?)new JsonObject
                {
                    ["id"] = s.SensorId,
                    ["value"] = double.IsFinite(s.Value) ? s.Value : null,
                    ["unit"] = null,
                    ["quality"] = QualityText.Of(s.Quality),
                    ["ageSeconds"] = Math.Round((now - s.Time).TotalSeconds, 1),
                })]);
        }

        if (broadcast is not null)
        {
            var state = broadcast.State;
            status["broadcast"] = new JsonObject
            {
                ["phase"] = JsonNamingPolicy.KebabCaseLower.ConvertName(state.Phase.ToString()),
                ["current"] = state.Current?.Message,
                ["queued"] = state.Queue.Count,
                ["owed"] = state.Owed?.Message,
                ["amplifier"] = state.Amplifier,
                ["sink"] = state.Sink,
                ["problems"] = new JsonArray([.. state.Problems.Select(p => (JsonNode?)JsonValue.Create(p))]),
                ["lastSelfTest"] = state.LastSelfTest is not { } test ? null : new JsonObject
                {
                    ["time"] = test.Time.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
                    ["outcome"] = test.Outcome,
                    ["silent"] = test.Silent,
                    ["problems"] = new JsonArray([.. test.Problems.Select(p => (JsonNode?)JsonValue.Create(p))]),
                },
            };
        }

        if (uplink is not null)
        {
            var link = uplink.Status;
            status["uplink"] = new JsonObject
            {
                ["state"] = JsonNamingPolicy.KebabCaseLower.ConvertName(link.State.ToString()),
                ["queueDepth"] = link.QueueDepth,
                ["queueBytes"] = link.QueueBytes,
                ["lastSeq"] = link.LastSeq,
                ["connectedSince"] = link.ConnectedSince,
                ["lastError"] = link.LastError,
                ["commandKeyProblem"] = link.CommandKeyProblem,
            };
        }

        if (sl651 is not null)
        {
            var link = sl651.Status;
            status["sl651"] = new JsonObject
            {
                ["state"] = JsonNamingPolicy.KebabCaseLower.ConvertName(link.State.ToString()),
                ["centre"] = link.Centre,
                ["owed"] = link.Owed,
                ["lastConfirmed"] = link.LastConfirmed,
                ["lastError"] = link.LastError,
            };
        }

        if (progress is not null)
        {
            status["loops"] = new JsonArray([.. progress.Snapshot().Select(l => (JsonNode?)new JsonObject
            {
                ["name"] = l.Name,
                ["silenceSeconds"] = Math.Round(l.Silence.TotalSeconds, 1),
                ["stalled"] = l.IsStalled,
            })]);
        }

        var figures = new JsonObject();
        foreach (var (key, value) in health.Collect())
        {
            figures[key] = HealthJson.Node(value);
        }

        status["health"] = figures;
        return Task.FromResult<JsonNode?>(status);
    }

    private static JsonObject RuleJson(RuleStatus r)
    {
        var thresholds = new JsonObject();
        foreach (var (level, value) in r.Thresholds)
        {
            thresholds[level] = value;
        }

        var rule = new JsonObject
        {
            ["id"] = r.RuleId,
            ["sensor"] = r.SensorId,
            ["level"] = r.Level,
            ["measure"] = r.Measure,
            ["thresholds"] = thresholds,
            ["latched"] = r.Latched,
            ["rising"] = Pending(r.Rising),
            ["falling"] = Pending(r.Falling),
            ["sensorFaulty"] = r.SensorFaulty,
        };
        if (r.When is { } when)
        {
            rule["when"] = when == DigitalState.Active ? "active" : "inactive";
        }

        return rule;

        // Whole seconds, rounded up: "in 0 s" would read as done while the change is still to come.
        static JsonObject? Pending(RulePending? p) => p is null ? null : new JsonObject
        {
            ["to"] = p.To,
            ["remainingSeconds"] = (long)Math.Ceiling(p.Remaining.TotalSeconds),
        };
    }

    /// <summary>
    /// Every configured sensor from the start, in id order: a rain gauge before its first tip reads 0, a rain
    /// counter shows its counter (as <c>modbus read</c> does) rather than the rain since the previous poll.
    /// </summary>
    private static IEnumerable<JsonNode?> SensorsJson(AcquisitionService acquisition, StationConfig station, DateTimeOffset now)
    {
        var states = acquisition.Sensors().ToDictionary(s => s.SensorId, StringComparer.Ordinal);
        var tips = acquisition.TipCounts();
        foreach (var sensor in station.Sensors.OrderBy(s => s.Id, StringComparer.Ordinal))
        {
            var state = states.GetValueOrDefault(sensor.Id);
            var last = state?.Last;
            double? value = last is { IsGood: true } good ? good.Value : null;
            string? quality = last is { } l ? QualityText.Of(l.Quality) : null;
            if (sensor.Kind == SensorKind.RainTotal && last is { IsGood: true })
            {
                value = state?.Counter;
            }

            var json = new JsonObject
            {
                ["id"] = sensor.Id,
                ["kind"] = JsonNamingPolicy.KebabCaseLower.ConvertName(sensor.Kind.ToString()),
                ["value"] = value,
                ["unit"] = Unit(sensor),
                ["quality"] = quality,
                ["ageSeconds"] = last is { } r ? Math.Round((now - r.Time).TotalSeconds, 1) : null,
            };
            if (sensor.Kind == SensorKind.RainPulse)
            {
                // No tip is a fact (no rain yet), not a missing reading.
                var count = tips.GetValueOrDefault(sensor.Id);
                json["tips"] = count;
                json["quality"] = quality ?? QualityText.Of(Quality.Good);
                json["value"] = value ?? 0;
            }

            if (last is { IsGood: false })
            {
                json["fault"] = state?.Reason ?? quality;
            }

            yield return json;
        }
    }

    private static string? Unit(SensorConfig sensor) => sensor.Unit ?? sensor.Kind switch
    {
        SensorKind.RainPulse or SensorKind.RainTotal => "mm",
        _ => null,
    };
}

/// <summary>Health figures are JSON-friendly values (<see cref="HealthCollector.Collect"/>); no reflection.</summary>
internal static class HealthJson
{
    public static JsonNode? Node(object? value) => value switch
    {
        null => null,
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        long l => JsonValue.Create(l),
        int i => JsonValue.Create(i),
        double d => double.IsFinite(d) ? JsonValue.Create(d) : null,
        _ => JsonValue.Create(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)),
    };
}
