using EdgeGateway.Demo;

namespace EdgeGateway.Tests.Demo;

public sealed class DemoRendererTests
{
    private static readonly DateTimeOffset Start = new(2026, 7, 1, 0, 0, 0, TimeSpan.Zero);

    private static DemoSnapshot Snapshot(string stationLevel = "evacuate") => new(
        "wz-demo-01",
        Start.AddHours(3.5),
        TimeSpan.FromHours(3.5),
        TimeSpan.FromHours(8),
        240,
        stationLevel,
        [
            new SensorView("river-level", "m", 3.91, "good", [1.6, 2.0, 2.8, 3.5, 3.91], null, [("watch", 2.8), ("prepare", 3.2), ("evacuate", 3.8)]),
            new SensorView("rain-gauge", "mm", double.NaN, "comm-fault", [], "52.0 mm/1h"),
        ],
        [new RuleView("river", "evacuate", 3.91), new RuleView("rain-1h", "prepare", 42, 50), new RuleView("rain-3h", "none")],
        new BroadcastView("evacuate", true, true, ["prepare", "evacuate"]),
        new UplinkView(true, 3, 7, 7, 12, 210, "online"),
        ["03:05 station prepare → evacuate", "03:05 broadcast-started evacuate"]);

    [Fact]
    public void Frame_Snapshot_ShowsLevelsReadingsBroadcastAndUplink()
    {
        var frame = DemoRenderer.Frame(Snapshot(), 120);

        Assert.Contains("STATION LEVEL  EVACUATE", frame);
        Assert.Contains("river-level", frame);
        Assert.Contains("3.91 m", frame);
        Assert.Contains("▁", frame);
        Assert.Contains("█", frame);
        Assert.Contains("evacuate 3.8", frame);
        Assert.Contains("52.0 mm/1h", frame);
        Assert.Contains("comm-fault", frame);
        Assert.Contains("▶ evacuate", frame);
        Assert.Contains("amplifier ON", frame);
        Assert.Contains("queue 3", frame);
        Assert.Contains("7 alerts · 7 CAP · 12 events · 210 telemetry · status online", frame);
        Assert.Contains("storm 03:30 / 08:00", frame);
        Assert.Contains("03:05 station prepare → evacuate", frame);
        Assert.DoesNotContain("\u001b", frame);
    }

    [Fact]
    public void Frame_NarrowWidth_NoLineIsWider()
    {
        var frame = DemoRenderer.Frame(Snapshot(), 60);

        Assert.All(frame.Split('\n'), line => Assert.True(line.Length <= 60, line));
    }

    [Fact]
    public void Frame_Color_WrapsLevelsInAnsiAndKeepsVisibleWidth()
    {
        var frame = DemoRenderer.Frame(Snapshot(), 60, color: true);

        Assert.Contains("\u001b[1;31mEVACUATE\u001b[0m", frame);
        Assert.Contains("\u001b[38;5;208mprepare", frame);
        Assert.All(frame.Split('\n'), line =>
            Assert.True(System.Text.RegularExpressions.Regex.Replace(line, "\u001b\\[[0-9;]*m", "").Length <= 60, line));
    }

    [Fact]
    public void Line_Snapshot_OneLineWithKeyFigures()
    {
        var line = DemoRenderer.Line(Snapshot());

        Assert.DoesNotContain('\n', line);
        Assert.StartsWith("[03:30] station=evacuate river-level=3.91m rain-gauge=—", line);
        Assert.Contains("rules=[river:evacuate,rain-1h:prepare]", line);
        Assert.Contains("queue=3", line);
        Assert.Contains("hub=alerts:7,events:12,telemetry:210", line);
    }

    [Fact]
    public void Sparkline_RisingValues_LowestToHighestBlock()
    {
        Assert.Equal("▁▃▆█", DemoRenderer.Sparkline([0, 1, 2, 3], 4));
        Assert.Equal("▁▁  ", DemoRenderer.Sparkline([5, 5], 4));
        Assert.Equal("▁█", DemoRenderer.Sparkline([9, 0, 10], 2));
    }

    [Fact]
    public void Bar_HalfFull_FillsHalfTheCells()
    {
        Assert.Equal("[██░░]", DemoRenderer.Bar(5, 10, 4));
        Assert.Equal("[████]", DemoRenderer.Bar(50, 10, 4));
        Assert.Equal("[░░░░]", DemoRenderer.Bar(double.NaN, 10, 4));
    }

    [Fact]
    public void Summary_Failures_ListsThemAndSaysFailed()
    {
        var summary = new DemoSummary("wz-demo-01", TimeSpan.FromHours(8), TimeSpan.FromSeconds(121),
            ["00:02 station none → watch"], ["prepare", "evacuate"], 9, 9, 20, 480, [], "/data/broadcast.wav",
            TimeSpan.FromSeconds(61.5), ["the station never returned to none"]);

        var text = DemoRenderer.Summary(summary);

        Assert.False(summary.Succeeded);
        Assert.Contains("Storm of 08:00 simulated in 121 s", text);
        Assert.Contains("Broadcasts played (2): prepare, evacuate", text);
        Assert.Contains("9 alerts, 9 CAP documents, 20 events, 480 telemetry batches", text);
        Assert.Contains("Broadcast audio (61.5 s): /data/broadcast.wav", text);
        Assert.Contains("RESULT: FAILED\n  the station never returned to none", text);
    }

    [Fact]
    public void Summary_NoFailures_SaysOk()
    {
        var summary = new DemoSummary("s", TimeSpan.FromHours(8), TimeSpan.FromSeconds(120), [], [], 0, 0, 0, 0, [], null, TimeSpan.Zero, []);

        Assert.Contains("RESULT: ok", DemoRenderer.Summary(summary));
    }
}
