using System.Text.Json;
using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Events;
using EdgeGateway.Core.Readings;
using EdgeGateway.Uplink.Payloads;

namespace EdgeGateway.Uplink.Tests.Payloads;

public sealed class PayloadWriterTests
{
    private static readonly DateTimeOffset T0 = new(2026, 7, 1, 3, 0, 0, 250, TimeSpan.Zero);
    private static readonly Guid Id = Guid.Parse("3f2b8c1e-7d4a-4e5b-9c6d-0a1b2c3d4e5f");

    [Fact]
    public void Telemetry_WritesCommonFieldsAndReadingsExactly()
    {
        var json = PayloadWriter.Telemetry("wz-oh-lilong-01", Id, T0, 7,
            [new Reading("river-level", T0.AddSeconds(-5), 2.5, Quality.Good), new Reading("battery", T0, double.NaN, Quality.CommFault)],
            new Dictionary<string, string> { ["river-level"] = "m", ["battery"] = "V" });
        Assert.Equal(
            """{"station":"wz-oh-lilong-01","id":"3f2b8c1e-7d4a-4e5b-9c6d-0a1b2c3d4e5f","time":"2026-07-01T03:00:00.250Z","seq":7,"readings":[{"sensor":"river-level","time":"2026-07-01T02:59:55.250Z","value":2.5,"unit":"m","quality":"good"},{"sensor":"battery","time":"2026-07-01T03:00:00.250Z","value":null,"unit":"V","quality":"comm-fault"}]}""",
            System.Text.Encoding.UTF8.GetString(json));
    }

    [Fact]
    public void Alert_RuleTransition_HasContractFields()
    {
        var t = new LevelTransition(T0, TransitionScope.Rule, "river", TestLevels.Level("watch"), TestLevels.Level("prepare"), 3.25, 3.2);
        using var doc = JsonDocument.Parse(PayloadWriter.Alert("s1", Id, 9, t, "Severe"));
        var r = doc.RootElement;
        Assert.Equal(["station", "id", "time", "seq", "scope", "rule", "from", "to", "value", "threshold", "severity"],
            r.EnumerateObject().Select(p => p.Name));
        Assert.Equal("rule", r.GetProperty("scope").GetString());
        Assert.Equal("river", r.GetProperty("rule").GetString());
        Assert.Equal(3.25, r.GetProperty("value").GetDouble());
        Assert.Equal("Severe", r.GetProperty("severity").GetString());
        Assert.Equal(9, r.GetProperty("seq").GetInt64());
    }

    [Fact]
    public void Alert_StationScope_HasNullValueAndThreshold()
    {
        var t = new LevelTransition(T0, TransitionScope.Station, "station", TestLevels.Level("none"), TestLevels.Level("evacuate"));
        using var doc = JsonDocument.Parse(PayloadWriter.Alert("s1", Id, 1, t, "Extreme"));
        Assert.Equal("station", doc.RootElement.GetProperty("rule").GetString());
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("value").ValueKind);
    }

    [Fact]
    public void Status_Birth_HasNoSeqAndFlattensHealth()
    {
        var health = new Dictionary<string, object?> { ["uptime"] = 12.5, ["sensors"] = new Dictionary<string, object?> { ["river-level"] = "good" } };
        using var doc = JsonDocument.Parse(PayloadWriter.Status("s1", Id, T0, online: true, health));
        Assert.False(doc.RootElement.TryGetProperty("seq", out _));
        Assert.Equal("online", doc.RootElement.GetProperty("state").GetString());
        Assert.Equal(12.5, doc.RootElement.GetProperty("uptime").GetDouble());
        Assert.Equal("good", doc.RootElement.GetProperty("sensors").GetProperty("river-level").GetString());
    }

    [Fact]
    public void Event_WithData_WritesTypeSourceAndData()
    {
        var e = new StationEvent(StationEventTypes.SensorFault, T0, "river-level", "no answer",
            new Dictionary<string, object?> { ["bus"] = "rs485", ["retries"] = 2 });
        using var doc = JsonDocument.Parse(PayloadWriter.Event("s1", Id, 3, e));
        Assert.Equal("sensor-fault", doc.RootElement.GetProperty("type").GetString());
        Assert.Equal("2026-07-01T03:00:00.250Z", doc.RootElement.GetProperty("time").GetString());
        Assert.Equal(2, doc.RootElement.GetProperty("data").GetProperty("retries").GetInt32());
    }

    [Fact]
    public void Result_Refused_HasCommandOkAndError()
    {
        Assert.Equal(
            """{"station":"s1","id":"3f2b8c1e-7d4a-4e5b-9c6d-0a1b2c3d4e5f","time":"2026-07-01T03:00:00.250Z","seq":4,"command":"j1","ok":false,"error":"expired"}""",
            System.Text.Encoding.UTF8.GetString(PayloadWriter.Result("s1", Id, T0, 4, "j1", false, "expired", null)));
    }
}
