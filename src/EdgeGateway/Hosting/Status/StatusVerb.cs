using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeGateway.Control;
using EdgeGateway.Hardware.Broadcast;
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
    Sl651Station? sl651 = null) : IControlVerb
{
    public string Name => "status";

    public Task<JsonNode?> HandleAsync(JsonObject args, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var status = new JsonObject
        {
            ["version"] = StationHost.Version,
            ["time"] = now.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
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
            status["rules"] = new JsonArray([.. pipeline.Engine.GetRuleStatuses().Select(r => (JsonNode?)new JsonObject
            {
                ["id"] = r.RuleId,
                ["sensor"] = r.SensorId,
                ["level"] = r.Level,
                ["measure"] = r.Measure,
                ["sensorFaulty"] = r.SensorFaulty,
            })]);
            status["sensors"] = new JsonArray([.. pipeline.Sensors.Select(s => (JsonNode?)new JsonObject
            {
                ["id"] = s.SensorId,
                ["value"] = double.IsFinite(s.Value) ? s.Value : null,
                ["quality"] = JsonNamingPolicy.KebabCaseLower.ConvertName(s.Quality.ToString()),
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
