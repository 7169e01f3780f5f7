using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Readings;
using EdgeGateway.Core.Rules;
using EdgeGateway.Demo;

namespace EdgeGateway.Tests.Demo;

/// <summary>The storm, fed to the real rule engine with the example station's rules, must raise and clear.</summary>
public sealed class TyphoonThroughRulesTests
{
    private static readonly DateTimeOffset Start = new(2026, 7, 1, 0, 0, 0, TimeSpan.Zero);

    private static List<LevelTransition> Run()
    {
        var storm = TyphoonScenario.Create(Start);
        var levels = new AlertLevels(["watch", "prepare", "evacuate"]);
        static LevelThreshold T(int level, double value) => new(level, value);
        var clearAfter = TimeSpan.FromMinutes(30);
        var engine = new RuleEngine(levels,
        [
            RuleDefinition.ForThresholds("rain-1h", "rain-gauge", RuleMeasure.Sum(TimeSpan.FromHours(1)), [T(1, 20), T(2, 30), T(3, 50)], clearAfter: clearAfter),
            RuleDefinition.ForThresholds("rain-3h", "rain-gauge", RuleMeasure.Sum(TimeSpan.FromHours(3)), [T(2, 50), T(3, 80)], clearAfter: clearAfter),
            RuleDefinition.ForThresholds("rain-logger-1h", "rain-counter", RuleMeasure.Sum(TimeSpan.FromHours(1)), [T(2, 30), T(3, 50)], clearAfter: clearAfter),
            RuleDefinition.ForThresholds("river", "river-level", RuleMeasure.Value, [T(1, 2.8), T(2, 3.2), T(3, 3.8)], 0.05, TimeSpan.FromSeconds(30), clearAfter),
            RuleDefinition.ForThresholds("river-rise", "river-level", RuleMeasure.Rise(TimeSpan.FromHours(1)), [T(2, 0.5)], clearAfter: clearAfter),
        ]);

        var transitions = new List<LevelTransition>();
        var tip = 0;
        uint lastCounter = storm.RainCounterRaw(TimeSpan.Zero);
        for (var s = 0; s <= (int)storm.Duration.TotalSeconds; s++)
        {
            var offset = TimeSpan.FromSeconds(s);
            var now = Start + offset;
            var readings = new List<Reading>();
            if (s % 5 == 0)
            {
                readings.Add(new Reading("river-level", now, storm.RiverLevel(offset), Quality.Good));
            }

            if (s % 10 == 0)
            {
                var counter = storm.RainCounterRaw(offset);
                readings.Add(new Reading("rain-counter", now, (counter - lastCounter) * TyphoonScenario.CounterScale, Quality.Good));
                lastCounter = counter;
            }

            while (tip < storm.Tips.Count && storm.Tips[tip] == offset)
            {
                readings.Add(new Reading("rain-gauge", now, TyphoonScenario.MmPerTip, Quality.Good));
                tip++;
            }

            transitions.AddRange(readings.Count > 0 ? engine.OnReadings([.. readings]) : engine.OnTick(now));
        }

        return transitions;
    }

    [Fact]
    public void Storm_ExampleRules_StationRisesToEvacuateAndReturnsToNone()
    {
        var transitions = Run();
        var station = transitions.Where(t => t.Scope == TransitionScope.Station).ToList();

        Assert.Equal("none", station[0].From);
        Assert.Contains(station, t => t.To == "watch");
        Assert.Contains(station, t => t.To == "prepare");
        Assert.Contains(station, t => t.To == "evacuate");
        Assert.Equal("none", station[^1].To);
        // The all-clear comes with time to spare: at least an hour before the storm's end.
        Assert.True(station[^1].Time < Start.AddHours(7), station[^1].Time.ToString("O"));
    }

    [Fact]
    public void Storm_ExampleRules_EveryRuleRaisesAndClears()
    {
        var transitions = Run();
        var rules = transitions.Where(t => t.Scope == TransitionScope.Rule).GroupBy(t => t.Id).ToDictionary(g => g.Key, g => g.ToList());

        Assert.Equal(["rain-1h", "rain-3h", "rain-logger-1h", "river", "river-rise"], rules.Keys.Order());
        Assert.All(rules.Values, list => Assert.Equal("none", list[^1].To));
        Assert.Equal(["watch", "prepare", "evacuate"], rules["river"].TakeWhile(t => t.To != "none").Select(t => t.To).Distinct().Take(3));
        Assert.Contains(rules["rain-1h"], t => t.To == "evacuate");
        Assert.Contains(rules["rain-logger-1h"], t => t.To == "evacuate");
    }
}
