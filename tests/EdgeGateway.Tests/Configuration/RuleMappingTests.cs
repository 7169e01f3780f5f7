using EdgeGateway.Configuration;
using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Rules;
using EdgeGateway.Tests.TestSupport;

namespace EdgeGateway.Tests.Configuration;

public sealed class RuleMappingTests
{
    [Fact]
    public void Rules_ExampleConfig_MapsEveryRuleWithItsMeasureThresholdsAndTimers()
    {
        var config = StationConfigLoader.Load(ExampleConfig.Path).Config;
        Assert.NotNull(config);

        var levels = LevelMapping.Levels(config);
        var rules = RuleMapping.Rules(config, levels).ToDictionary(r => r.Id);

        Assert.Equal(["none", "watch", "prepare", "evacuate"], Enumerable.Range(0, levels.Count).Select(i => levels[i].Id));
        Assert.Equal([0, 1, 2, 3], levels.Select(l => l.Rank));
        // One object for every consumer: the CAP severity for the uplink, the cue for the broadcaster.
        Assert.Equal(["Unknown", "Moderate", "Severe", "Extreme"], levels.Select(l => l.Severity));
        Assert.Null(levels.Get("watch").Broadcast);
        Assert.Equal(new BroadcastCue("evacuate", 5), levels.Get("evacuate").Broadcast);
        Assert.Equal(["rain-1h", "rain-3h", "rain-logger-1h", "river", "river-rise", "flood-switch", "manual"], rules.Keys);

        var rain3h = rules["rain-3h"];
        Assert.Equal(RuleMeasure.Sum(TimeSpan.FromHours(3)), rain3h.Measure);
        Assert.Equal([new LevelThreshold(2, 50), new LevelThreshold(3, 80)], rain3h.Thresholds);
        Assert.Equal(TimeSpan.FromMinutes(30), rain3h.ClearAfter);

        var river = rules["river"];
        Assert.Equal(("river-level", RuleMeasure.Value, 0.05, TimeSpan.FromSeconds(30)), (river.SensorId, river.Measure, river.Hysteresis, river.Hold));
        Assert.Equal(RuleMeasure.Rise(TimeSpan.FromHours(1)), rules["river-rise"].Measure);

        var manual = rules["manual"];
        Assert.Equal((DigitalState.Active, 3, true), (manual.When, manual.Thresholds[0].Level, manual.Latch));
        Assert.False(rules["flood-switch"].Latch);
    }

    [Fact]
    public void Rules_ThresholdsOutOfLevelOrderAndOwnClearAfter_AreOrderedAndKept()
    {
        var config = StationConfigLoader.Parse(
            ExampleConfig.With(("above: { watch: 2.8, prepare: 3.2, evacuate: 3.8 }", "above: { evacuate: 3.8, watch: 2.8, prepare: 3.2 }\n      clearAfter: 2h")),
            "station.yaml").Config;
        Assert.NotNull(config);

        var levels = LevelMapping.Levels(config);
        var river = RuleMapping.Rules(config, levels).Single(r => r.Id == "river");

        Assert.Equal([new LevelThreshold(1, 2.8), new LevelThreshold(2, 3.2), new LevelThreshold(3, 3.8)], river.Thresholds);
        Assert.Equal(TimeSpan.FromHours(2), river.ClearAfter);
    }
}
