using System.Text.Json.Nodes;
using EdgeGateway.Demo;

namespace EdgeGateway.Tests.Demo;

public sealed class HubViewBuilderTests
{
    private static readonly DateTimeOffset Start = new(2026, 7, 1, 0, 0, 0, TimeSpan.Zero);

    private static HubMessage Message(HubMessageKind kind, string json) =>
        new("ews/s/x", kind, false, json, JsonNode.Parse(json) as JsonObject, Start);

    private static HubMessage Alert(string scope, string rule, string from, string to, double? value = null, int minute = 0) =>
        Message(HubMessageKind.Alert, new JsonObject
        {
            ["scope"] = scope, ["rule"] = rule, ["from"] = from, ["to"] = to, ["value"] = value,
            ["time"] = Start.AddMinutes(minute).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
        }.ToJsonString());

    private static HubMessage Event(string type, string source) =>
        Message(HubMessageKind.Event, new JsonObject { ["type"] = type, ["source"] = source }.ToJsonString());

    [Fact]
    public void Levels_AlertsInOrder_LatestLevelPerRuleAndStation()
    {
        var (rules, station) = HubViewBuilder.Levels(
        [
            Alert("rule", "river", "none", "watch", 2.81),
            Alert("station", "station", "none", "watch"),
            Alert("rule", "rain-1h", "none", "prepare", 31),
            Alert("rule", "river", "watch", "evacuate", 3.9),
            Alert("station", "station", "watch", "evacuate"),
        ]);

        Assert.Equal("evacuate", station);
        Assert.Equal([("river", "evacuate", 3.9), ("rain-1h", "prepare", 31.0)], rules.Select(r => (r.Id, r.Level, r.Measure)));
    }

    [Fact]
    public void Broadcasts_StartedThenFinished_PlayedInOrderAndIdle()
    {
        var (playing, played, failed) = HubViewBuilder.Broadcasts(
        [
            Event("broadcast-started", "prepare"), Event("broadcast-finished", "prepare"),
            Event("broadcast-started", "evacuate"), Event("sensor-fault", "river-level"),
        ]);

        Assert.Equal("evacuate", playing);
        Assert.Equal(["prepare"], played);
        Assert.Empty(failed);
    }

    [Fact]
    public void Sensors_Telemetry_LatestValueAndRainHourSum()
    {
        var telemetry = Message(HubMessageKind.Telemetry, """
            {"readings":[
              {"sensor":"river-level","time":"2026-07-01T01:00:00.000Z","value":2.5,"unit":"m","quality":"good"},
              {"sensor":"river-level","time":"2026-07-01T01:05:00.000Z","value":2.7,"unit":"m","quality":"good"},
              {"sensor":"rain-gauge","time":"2026-07-01T00:04:00.000Z","value":0.5,"unit":"mm","quality":"good"},
              {"sensor":"rain-gauge","time":"2026-07-01T00:40:00.000Z","value":0.5,"unit":"mm","quality":"good"},
              {"sensor":"rain-gauge","time":"2026-07-01T01:04:00.000Z","value":0.5,"unit":"mm","quality":"good"}
            ]}
            """);
        var sensors = new[]
        {
            new SensorInfo("river-level", "m", false, [("watch", 2.8)]),
            new SensorInfo("rain-gauge", "mm", true, []),
            new SensorInfo("rain-counter", "mm", true, []),
        };

        var views = HubViewBuilder.Sensors([telemetry], sensors, Start.AddMinutes(65));

        Assert.Equal(2.7, views[0].Value);
        Assert.Equal("good", views[0].Quality);
        Assert.Equal(2.7, views[0].History[^1]);
        Assert.Equal(2.5, views[0].History[^2]);
        Assert.Equal(1.0, views[1].Value);
        Assert.True(double.IsNaN(views[2].Value));
    }

    [Fact]
    public void Log_AlertsAndEvents_StormClockLines()
    {
        var log = HubViewBuilder.Log([Alert("rule", "river", "none", "watch", 2.81, minute: 135), Event("broadcast-started", "prepare")], Start);

        Assert.Equal("02:15  rule river none → watch (2.81)", log[0]);
        Assert.Equal("--:--  broadcast-started prepare", log[1]);
    }
}
