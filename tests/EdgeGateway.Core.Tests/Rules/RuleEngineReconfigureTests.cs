using EdgeGateway.Core.Readings;
using EdgeGateway.Core.Rules;
using static EdgeGateway.Core.Tests.Rules.EngineFixture;

namespace EdgeGateway.Core.Tests.Rules;

/// <summary>A reload's new rule set taken by a running engine: alarm state and windows survive where they should.</summary>
public sealed class RuleEngineReconfigureTests
{
    private static Reading Rain(DateTimeOffset time, double mm) => Good("rain-gauge", time, mm);

    private static RuleDefinition RainRule(string id, TimeSpan window, double watch, double prepare, double evacuate, string sensor = "rain-gauge") =>
        RuleDefinition.ForThresholds(id, sensor, RuleMeasure.Sum(window), [new(Watch, watch), new(Prepare, prepare), new(Evacuate, evacuate)],
            clearAfter: TimeSpan.FromMinutes(30));

    [Fact]
    public void Reconfigure_ThresholdLowered_RisesOnceAtTheReloadWithTheKeptWindow()
    {
        var engine = Engine(Rain1h());
        Feed(engine, Rain(AtMinutes(0), 10), Rain(AtMinutes(10), 15));
        Assert.Equal("watch", engine.StationLevel);

        // The history offered is empty: a rule whose window is kept must not need it.
        var transitions = engine.Reconfigure([RainRule("rain-1h", TimeSpan.FromHours(1), 20, 24, 50)], [], AtMinutes(20));

        Assert.Equal(["00:20:00 rule rain-1h watch->prepare", "00:20:00 station station watch->prepare"], transitions.Select(Describe));
        Assert.Equal(25, transitions[0].Value);
        Assert.Equal(24, transitions[0].Threshold);
        Assert.Empty(engine.OnTick(AtMinutes(21)));
    }

    [Fact]
    public void Reconfigure_AnotherRuleChanged_ActiveAlarmKeepsLevelClearTimerAndWindowWithNoTransition()
    {
        var engine = Engine(River(), Rain1h());
        Feed(engine,
            Good("river-level", At(0), 3.3),            // prepare
            Rain(AtMinutes(5), 12),
            Good("river-level", AtMinutes(10), 3.0));   // below 3.15: steps down to watch at 40 min
        var clearDue = engine.GetRuleStatuses().Single(r => r.RuleId == "river").ClearDue;
        Assert.Equal(AtMinutes(40), clearDue);

        var transitions = engine.Reconfigure([River(), RainRule("rain-1h", TimeSpan.FromHours(1), 25, 35, 55)], [], AtMinutes(20));

        Assert.Empty(transitions);
        Assert.Equal("prepare", engine.StationLevel);
        Assert.Equal(clearDue, engine.GetRuleStatuses().Single(r => r.RuleId == "river").ClearDue);

        // The rain window kept its 12 mm: 13 more reach the new watch threshold of 25.
        Assert.Equal(["00:25:00 rule rain-1h none->watch"], RuleSteps(engine.OnReading(Rain(AtMinutes(25), 13))));
        Assert.Equal(["00:40:00 rule river prepare->watch"], RuleSteps(engine.OnTick(AtMinutes(41))));
    }

    [Fact]
    public void Reconfigure_PendingHold_KeptAndJudgedByTheNewHold()
    {
        var engine = Engine(River(holdSeconds: 60));
        Assert.Empty(engine.OnReading(Good("river-level", At(0), 3.3)));
        Assert.Empty(engine.OnTick(At(10)));

        Assert.Empty(engine.Reconfigure([River(holdSeconds: 30)], [], At(20)));

        // The condition has held since 0 s: the new 30 s hold ends at 30 s, not 30 s after the reload.
        Assert.Empty(engine.OnTick(At(29)));
        Assert.Equal(["00:00:30 rule river none->prepare"], RuleSteps(engine.OnTick(At(31))));
    }

    [Fact]
    public void Reconfigure_ThresholdRaisedAboveTheMeasure_StepsDownOnlyAfterClearAfter()
    {
        var engine = Engine(River());
        engine.OnReading(Good("river-level", At(0), 3.3));

        var raised = RuleDefinition.ForThresholds("river", "river-level", RuleMeasure.Value,
            [new(Watch, 2.8), new(Prepare, 3.5), new(Evacuate, 3.8)], 0.05, TimeSpan.Zero, TimeSpan.FromMinutes(30));
        Assert.Empty(engine.Reconfigure([raised], [], AtMinutes(1)));
        Assert.Equal("prepare", engine.StationLevel);

        Assert.Empty(engine.OnTick(AtMinutes(30)));
        Assert.Equal(["00:31:00 rule river prepare->watch"], RuleSteps(engine.OnTick(AtMinutes(32))));
    }

    [Fact]
    public void Reconfigure_MeasureChanged_WindowRebuiltFromHistoryAndLevelKeptUntilSemanticsMoveIt()
    {
        var engine = Engine(Rain1h());
        var history = new List<Reading> { Rain(AtMinutes(0), 40), Rain(AtMinutes(70), 35) };
        Feed(engine, [.. history]);
        Assert.Equal("prepare", engine.StationLevel);   // 35 mm in the last hour

        // Over three hours the history holds 75 mm: evacuate at once.
        var transitions = engine.Reconfigure([RainRule("rain-1h", TimeSpan.FromHours(3), 20, 50, 70)], history, AtMinutes(80));

        Assert.Equal(["01:20:00 rule rain-1h prepare->evacuate"], RuleSteps(transitions));
        Assert.Equal(75, transitions[0].Value);
    }

    [Fact]
    public void Reconfigure_SensorChangedHistoryBelow_KeepsLevelThenClearsAfterClearAfter()
    {
        var engine = Engine(Rain1h());
        Feed(engine, Rain(AtMinutes(0), 35));
        var history = new List<Reading> { Rain(AtMinutes(0), 35), Good("rain-counter", AtMinutes(1), 2) };

        Assert.Empty(engine.Reconfigure([RainRule("rain-1h", TimeSpan.FromHours(1), 20, 30, 50, sensor: "rain-counter")], history, AtMinutes(5)));
        Assert.Equal("prepare", engine.StationLevel);

        var transitions = engine.OnTick(AtMinutes(36));
        Assert.Equal(["00:35:00 rule rain-1h prepare->none"], RuleSteps(transitions));
        Assert.Equal(2, transitions[0].Value);
    }

    [Fact]
    public void Reconfigure_NewRule_PrimedFromHistoryStartsAtNoneAndRisesAtOnce()
    {
        var engine = Engine(River());
        var history = new List<Reading> { Rain(AtMinutes(0), 20), Rain(AtMinutes(90), 35), Rain(AtMinutes(200), 1) };

        var transitions = engine.Reconfigure([River(), Rain1h(), RainRule("rain-3h", TimeSpan.FromHours(3), 40, 50, 80)], history, AtMinutes(100));

        // rain-1h: 35 mm in (40, 100] min; rain-3h: 55 mm; the reading after the reload is not used.
        Assert.Equal(
            ["01:40:00 rule rain-1h none->prepare", "01:40:00 rule rain-3h none->prepare", "01:40:00 station station none->prepare"],
            transitions.Select(Describe));
        Assert.True(engine.HasRule("rain-3h"));
    }

    [Fact]
    public void Reconfigure_RemovedRuleHeldTheStationLevel_StationStepsDownAtOnce()
    {
        var engine = Engine(River(), Rain1h());
        Feed(engine, Good("river-level", At(0), 4.0), Rain(At(10), 22));
        Assert.Equal("evacuate", engine.StationLevel);

        var transitions = engine.Reconfigure([Rain1h()], [], At(20));

        Assert.Equal(["00:00:20 station station evacuate->watch"], transitions.Select(Describe));
        Assert.False(engine.HasRule("river"));
        Assert.Equal(["rain-1h"], engine.RuleLevels.Keys);
        Assert.Equal(["rain-1h"], engine.Snapshot().Rules.Select(r => r.RuleId));
    }

    [Fact]
    public void Reconfigure_RuleDefinedTwice_ThrowsAndTheRulesInForceStay()
    {
        var engine = Engine(River());
        engine.OnReading(Good("river-level", At(0), 3.3));

        Assert.Throws<ArgumentException>(() => engine.Reconfigure([Rain1h(), Rain1h()], [], At(10)));

        Assert.Equal(["river"], engine.RuleLevels.Keys);
        Assert.Equal("prepare", engine.StationLevel);
        Assert.Equal(["00:00:20 rule river prepare->evacuate"], RuleSteps(engine.OnReading(Good("river-level", At(20), 3.9))));
    }

    [Fact]
    public void Reconfigure_LatchedAlarmAndOperatorClear_LatchKeptAndClearStillWorks()
    {
        var manual = RuleDefinition.ForDigital("manual", "alarm-button", DigitalState.Active, Evacuate, latch: true);
        var engine = Engine(manual, River());
        engine.OnReading(Good("alarm-button", At(0), 1));
        engine.OnReading(Good("alarm-button", At(5), 0));

        Assert.Empty(engine.Reconfigure([manual, River(hysteresis: 0.1)], [], At(10)));
        Assert.Empty(engine.OnTick(AtMinutes(120)));
        Assert.Equal("evacuate", engine.StationLevel);

        var cleared = engine.Clear("manual", AtMinutes(121));
        Assert.Equal(["02:01:00 rule manual evacuate->none", "02:01:00 station station evacuate->none"], cleared.Select(Describe));
    }
}
