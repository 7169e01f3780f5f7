using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Events;
using EdgeGateway.Core.Readings;
using EdgeGateway.Core.Rules;
using Microsoft.Extensions.Time.Testing;
using static EdgeGateway.Core.Tests.Rules.EngineFixture;

namespace EdgeGateway.Core.Tests.Rules;

public sealed class RuleEngineTests
{
    [Fact]
    public void OnReading_ValueEqualToThreshold_Rises()
    {
        var engine = Engine(River());

        Assert.Empty(engine.OnReading(Good("river-level", At(0), 2.7999999)));
        var transitions = engine.OnReading(Good("river-level", At(5), 2.8));

        var rule = Assert.Single(transitions, t => t.Scope == TransitionScope.Rule);
        Assert.Equal(("none", "watch", 2.8, 2.8), (rule.From, rule.To, rule.Value, rule.Threshold));
        Assert.Equal(At(5), rule.Time);
        var station = Assert.Single(transitions, t => t.Scope == TransitionScope.Station);
        Assert.Equal(("station", "none", "watch", (double?)null), (station.Id, station.From, station.To, station.Value));
        Assert.Equal("watch", engine.StationLevel);
    }

    [Fact]
    public void OnReading_MeasureAboveHighestThreshold_GoesStraightToIt()
    {
        var engine = Engine(River());

        var transitions = engine.OnReading(Good("river-level", At(0), 4.1));

        Assert.Equal(["00:00:00 rule river none->evacuate", "00:00:00 station station none->evacuate"], transitions.Select(Describe));
        Assert.Equal(3.8, transitions[0].Threshold);
    }

    [Fact]
    public void OnTick_HoldElapsesWithoutNewReading_RisesAtTheEndOfTheHold()
    {
        var engine = Engine(River(holdSeconds: 30));

        Assert.Empty(engine.OnReading(Good("river-level", At(0), 3.3)));
        Assert.Empty(engine.OnTick(At(29)));
        Assert.Equal(At(30), engine.NextDue);
        var transitions = engine.OnTick(At(31));

        Assert.Equal(["00:00:30 rule river none->prepare"], RuleSteps(transitions));
    }

    [Fact]
    public void OnTick_HoldOfSeveralLevels_RisesStraightToTheHighestThatHeld()
    {
        var engine = Engine(River(holdSeconds: 30));

        engine.OnReading(Good("river-level", At(0), 3.9));
        var transitions = engine.OnTick(At(60));

        // Both prepare and evacuate held from 0 s: one step, none -> evacuate, at 30 s.
        Assert.Equal(["00:00:30 rule river none->evacuate"], RuleSteps(transitions));
    }

    [Fact]
    public void OnTick_HigherConditionStartsLater_RisesInTwoStepsEachAfterItsOwnHold()
    {
        var engine = Engine(River(holdSeconds: 30));

        engine.OnReading(Good("river-level", At(0), 3.3));
        engine.OnReading(Good("river-level", At(10), 3.9));
        var transitions = engine.OnTick(At(120));

        Assert.Equal(["00:00:30 rule river none->prepare", "00:00:40 rule river prepare->evacuate"], RuleSteps(transitions));
    }

    [Fact]
    public void OnReading_HoldInterrupted_RestartsTheHold()
    {
        var engine = Engine(River(holdSeconds: 30));

        var transitions = Feed(
            engine,
            Good("river-level", At(0), 3.3),
            Good("river-level", At(20), 3.1),   // breaks prepare's condition
            Good("river-level", At(25), 3.3));
        transitions.AddRange(engine.OnTick(At(54)));
        Assert.DoesNotContain(transitions, t => t.To == "prepare");
        transitions.AddRange(engine.OnTick(At(56)));

        // watch (2.8) held throughout from 0 s; prepare only from 25 s.
        Assert.Equal(["00:00:30 rule river none->watch", "00:00:55 rule river watch->prepare"], RuleSteps(transitions));
    }

    [Fact]
    public void OnReading_ReadingAtTheHoldInstantBreaksTheCondition_DoesNotRise()
    {
        var engine = Engine(River(holdSeconds: 30));

        var transitions = Feed(engine, Good("river-level", At(0), 3.3), Good("river-level", At(30), 3.0));
        transitions.AddRange(engine.OnTick(At(300)));

        // Everything stamped 30 s is applied before judging 30 s: prepare never held, watch did.
        Assert.Equal(["00:00:30 rule river none->watch"], RuleSteps(transitions));
    }

    [Fact]
    public void OnReading_ValueChatteringAroundThreshold_RaisesOnce()
    {
        var engine = Engine(River());
        var transitions = new List<LevelTransition>();

        // Two hours of a float bobbing across 2.8 every 10 s, and a wider swing across the hysteresis
        // band every 10 minutes: the level rises once and stays.
        for (var s = 0; s < 7200; s += 10)
        {
            var bob = s / 10 % 2 == 0 ? 2.79 : 2.81;
            var value = s % 1200 < 600 ? bob : bob - 0.1;
            transitions.AddRange(engine.OnReading(Good("river-level", At(s), value)));
        }

        Assert.Equal(["00:00:10 rule river none->watch"], RuleSteps(transitions));
        Assert.Single(transitions, t => t.Scope == TransitionScope.Station);
    }

    [Fact]
    public void OnReading_InsideHysteresisBand_KeepsTheLevel()
    {
        var engine = Engine(River());
        engine.OnReading(Good("river-level", At(0), 3.25));

        var transitions = new List<LevelTransition>();
        for (var m = 1; m <= 120; m++)
        {
            transitions.AddRange(engine.OnReading(Good("river-level", AtMinutes(m), 3.15)));  // = 3.2 - 0.05
        }

        Assert.Empty(transitions);
        Assert.Equal("prepare", engine.RuleLevels["river"]);

        transitions.AddRange(engine.OnReading(Good("river-level", AtMinutes(121), 3.149)));
        transitions.AddRange(engine.OnTick(AtMinutes(200)));

        // 3.149 is below 3.15 from 121 min; 30 minutes later, down to watch (3.149 >= 2.8 - 0.05).
        Assert.Equal(["02:31:00 rule river prepare->watch"], RuleSteps(transitions));
        Assert.Equal(3.2, transitions[0].Threshold);
    }

    [Fact]
    public void OnTick_ClearAfter_StepsDownToTheSupportedLevelThenClearsAgainPerLevel()
    {
        var engine = Engine(River());
        engine.OnReading(Good("river-level", At(0), 4.0));

        var transitions = new List<LevelTransition>();
        transitions.AddRange(engine.OnReading(Good("river-level", AtMinutes(10), 3.5)));   // supports prepare
        transitions.AddRange(engine.OnTick(AtMinutes(39)));
        Assert.Empty(transitions);
        transitions.AddRange(engine.OnTick(AtMinutes(40)));
        Assert.Equal(["00:40:00 rule river evacuate->prepare"], RuleSteps(transitions));

        // Prepare's own clearAfter starts when the measure leaves prepare, not when evacuate was left.
        transitions.AddRange(engine.OnReading(Good("river-level", AtMinutes(50), 1.0)));
        transitions.AddRange(engine.OnTick(AtMinutes(79)));
        Assert.Single(RuleSteps(transitions));
        transitions.AddRange(engine.OnTick(AtMinutes(90)));

        // From prepare straight down to none: 1.0 supports no level.
        Assert.Equal(
            ["00:40:00 rule river evacuate->prepare", "01:20:00 rule river prepare->none"],
            RuleSteps(transitions));
        Assert.Equal(["evacuate->prepare", "prepare->none"], transitions.Where(t => t.Scope == TransitionScope.Station).Select(t => $"{t.From}->{t.To}"));
    }

    [Fact]
    public void OnReading_ClearInterruptedByNewRise_RestartsTheClearTimer()
    {
        var engine = Engine(River());
        var transitions = Feed(
            engine,
            Good("river-level", At(0), 3.3),
            Good("river-level", AtMinutes(10), 3.0),    // below 3.15: clear timer starts
            Good("river-level", AtMinutes(30), 3.18),   // back inside the band: timer stops
            Good("river-level", AtMinutes(35), 3.0));   // starts again
        transitions.AddRange(engine.OnTick(AtMinutes(64)));
        Assert.Single(RuleSteps(transitions));
        transitions.AddRange(engine.OnTick(AtMinutes(66)));

        Assert.Equal(["00:00:00 rule river none->prepare", "01:05:00 rule river prepare->watch"], RuleSteps(transitions));
    }

    [Fact]
    public void OnReading_RiseDuringPendingClear_GoesUpAndForgetsTheClear()
    {
        var engine = Engine(River());
        var transitions = Feed(
            engine,
            Good("river-level", At(0), 3.3),
            Good("river-level", AtMinutes(10), 3.0),
            Good("river-level", AtMinutes(20), 3.9));
        transitions.AddRange(engine.OnTick(AtMinutes(45)));

        Assert.Equal(["00:00:00 rule river none->prepare", "00:20:00 rule river prepare->evacuate"], RuleSteps(transitions));
        Assert.Null(engine.GetRuleStatuses()[0].ClearDue);
    }

    [Fact]
    public void Clear_LatchedRule_StaysUntilClearedAndOnlyWhenTheConditionEnded()
    {
        var manual = RuleDefinition.ForDigital("manual", "alarm-button", DigitalState.Active, Evacuate, latch: true);
        var engine = Engine(manual);

        var transitions = Feed(engine, Good("alarm-button", At(0), 1), Good("alarm-button", At(5), 0));
        transitions.AddRange(engine.OnTick(AtMinutes(24 * 60)));
        Assert.Equal(["00:00:00 rule manual none->evacuate"], RuleSteps(transitions));

        // Pressed again: a clear does not silence a condition that still holds.
        engine.OnReading(Good("alarm-button", AtMinutes(24 * 60 + 1), 1));
        Assert.Empty(engine.Clear("manual", AtMinutes(24 * 60 + 2)));
        Assert.Equal("evacuate", engine.StationLevel);

        engine.OnReading(Good("alarm-button", AtMinutes(24 * 60 + 3), 0));
        var cleared = engine.Clear("manual", AtMinutes(24 * 60 + 4));

        Assert.Equal(["00:04:00 rule manual evacuate->none", "00:04:00 station station evacuate->none"], cleared.Select(Describe));
        Assert.Equal(0, cleared[0].Value);
    }

    [Fact]
    public void Clear_AllRules_SkipsClearAfterButKeepsWhatStillHolds()
    {
        var engine = Engine(River(), Rain1h());
        Feed(engine, Good("river-level", At(0), 3.3), Good("rain-gauge", At(0), 35), Good("river-level", AtMinutes(1), 2.0));

        var cleared = engine.Clear(null, AtMinutes(2));

        // The river is down (2.0 supports none); the rain of the last hour is still 35 mm.
        Assert.Equal(["00:02:00 rule river prepare->none"], RuleSteps(cleared));
        Assert.Equal("prepare", engine.StationLevel);
        Assert.Throws<ArgumentException>(() => engine.Clear("nope", AtMinutes(3)));
    }

    [Fact]
    public void OnReading_FaultDuringAlarm_KeepsLevelRaisesFaultAndClearsOnlyAfterRecovery()
    {
        var engine = Engine(River());
        var events = new List<SensorFaultEventArgs>();
        engine.SensorFaultChanged += (_, e) => events.Add(e);

        var transitions = Feed(
            engine,
            Good("river-level", At(0), 3.3),
            Good("river-level", AtMinutes(10), 2.0),    // clear timer starts
            new Reading("river-level", AtMinutes(20), double.NaN, Quality.CommFault),
            new Reading("river-level", AtMinutes(25), double.NaN, Quality.CommFault));
        transitions.AddRange(engine.OnTick(AtMinutes(6 * 60)));
        Assert.Equal("prepare", engine.RuleLevels["river"]);

        transitions.AddRange(engine.OnReading(Good("river-level", AtMinutes(6 * 60), 2.0)));
        transitions.AddRange(engine.OnTick(AtMinutes(6 * 60 + 29)));
        Assert.Single(RuleSteps(transitions));
        transitions.AddRange(engine.OnTick(AtMinutes(6 * 60 + 31)));

        // The clear timer that ran before the fault is void: 30 minutes counted from recovery.
        Assert.Equal(["00:00:00 rule river none->prepare", "06:30:00 rule river prepare->none"], RuleSteps(transitions));
        Assert.Equal(2, events.Count);
        Assert.True(events[0].Faulty);
        Assert.Equal(Quality.CommFault, events[0].Quality);
        Assert.Equal(AtMinutes(20), events[0].Time);
        Assert.Equal(["river"], events[0].RuleIds);
        Assert.Equal(StationEventTypes.SensorFault, events[0].ToStationEvent().Type);
        Assert.False(events[1].Faulty);
        Assert.Equal(StationEventTypes.SensorRecovered, events[1].ToStationEvent().Type);
    }

    [Fact]
    public void OnReading_FaultDuringHold_HoldIsNotBrokenIfTheConditionStillHoldsAfter()
    {
        var engine = Engine(River(holdSeconds: 30));

        var transitions = Feed(
            engine,
            Good("river-level", At(0), 3.3),
            new Reading("river-level", At(10), double.NaN, Quality.Stale));
        transitions.AddRange(engine.OnTick(At(50)));
        Assert.Empty(transitions);

        // Faulty at 30 s: nothing rises while the sensor cannot tell; the first good reading still meets
        // prepare, whose condition has held since 0 s.
        transitions.AddRange(engine.OnReading(Good("river-level", At(60), 3.3)));

        Assert.Equal(["00:01:00 rule river none->prepare"], RuleSteps(transitions));
    }

    [Fact]
    public void OnTick_RiseWindowEmpties_NoMeasureNeverClears()
    {
        var rise = RuleDefinition.ForThresholds(
            "river-rise", "river-level", RuleMeasure.Rise(TimeSpan.FromHours(1)), [new(Prepare, 0.5)], clearAfter: TimeSpan.FromMinutes(30));
        var engine = Engine(rise);

        var transitions = Feed(engine, Good("river-level", At(0), 2.0), Good("river-level", AtMinutes(10), 2.6));
        Assert.Equal(["00:10:00 rule river-rise none->prepare"], RuleSteps(transitions));

        // No more readings: at 01:00 the rise is 0 and a clear starts, but at 01:10 the window is empty:
        // no measure, so the pending clear is void and the level stays.
        transitions.AddRange(engine.OnTick(AtMinutes(10 * 60)));
        Assert.Single(RuleSteps(transitions));
        Assert.Equal("prepare", engine.StationLevel);
    }

    [Fact]
    public void OnReading_SumReadingExactlyOneWindowOld_HasLeft()
    {
        var engine = Engine(Rain1h());

        var transitions = Feed(
            engine,
            Good("rain-gauge", At(0), 15),
            Good("rain-gauge", AtMinutes(30), 10),
            Good("rain-gauge", AtMinutes(60), 10));   // the 15 mm of 00:00:00 is exactly 1 h old: out

        // 25 mm -> watch; at 01:00:00 the sum is 20 (35 would be prepare).
        Assert.Equal(["00:30:00 rule rain-1h none->watch"], RuleSteps(transitions));
        Assert.Equal(20, engine.GetRuleStatuses()[0].Measure);
    }

    [Fact]
    public void OnTick_SumReadingLeavesWindow_MeasureDropsAtThatInstantAndClearAfterCountsFromIt()
    {
        var engine = Engine(Rain1h());
        var transitions = Feed(engine, Good("rain-gauge", At(0), 25));

        Assert.Equal(At(3600), engine.NextDue);
        transitions.AddRange(engine.OnTick(At(3599)));
        Assert.Equal(25, engine.GetRuleStatuses()[0].Measure);
        transitions.AddRange(engine.OnTick(AtMinutes(60 + 30) - TimeSpan.FromSeconds(1)));
        Assert.Single(RuleSteps(transitions));
        transitions.AddRange(engine.OnTick(AtMinutes(200)));

        Assert.Equal(["00:00:00 rule rain-1h none->watch", "01:30:00 rule rain-1h watch->none"], RuleSteps(transitions));
        Assert.Equal(0, transitions.Last(t => t.Scope == TransitionScope.Rule).Value);
    }

    [Fact]
    public void OnReading_RiseMeasure_IsLatestMinusOldestInWindow()
    {
        var rise = RuleDefinition.ForThresholds(
            "river-rise", "river-level", RuleMeasure.Rise(TimeSpan.FromHours(1)), [new(Prepare, 0.5)], clearAfter: TimeSpan.FromMinutes(30));
        var engine = Engine(rise);

        var transitions = new List<LevelTransition>();
        for (var m = 0; m <= 50; m += 10)
        {
            // 1.00, 1.10, ... 1.50: at 50 min the rise is 1.5 - 1.0.
            transitions.AddRange(engine.OnReading(Good("river-level", AtMinutes(m), 1.0 + (m / 100.0))));
        }

        var rule = Assert.Single(transitions, t => t.Scope == TransitionScope.Rule);
        Assert.Equal(AtMinutes(50), rule.Time);
        Assert.Equal(0.5, rule.Value!.Value, 12);

        // Level water from then on: 1.0 leaves at 60 min (rise 0.4), the rule clears 30 min later.
        for (var m = 60; m <= 120; m += 10)
        {
            transitions.AddRange(engine.OnReading(Good("river-level", AtMinutes(m), 1.5)));
        }

        Assert.Equal(["00:50:00 rule river-rise none->prepare", "01:30:00 rule river-rise prepare->none"], RuleSteps(transitions));
    }

    [Fact]
    public void OnReading_DigitalWhenInactive_RaisesWhileInactive()
    {
        var power = RuleDefinition.ForDigital("mains", "mains-ok", DigitalState.Inactive, Watch, clearAfter: TimeSpan.FromMinutes(5));
        var engine = Engine(power);

        var transitions = Feed(engine, Good("mains-ok", At(0), 1), Good("mains-ok", At(60), 0), Good("mains-ok", At(120), 1));
        transitions.AddRange(engine.OnTick(At(1000)));

        Assert.Equal(["00:01:00 rule mains none->watch", "00:07:00 rule mains watch->none"], RuleSteps(transitions));
        Assert.All(transitions, t => Assert.Null(t.Threshold));
    }

    [Fact]
    public void OnReading_StationLevel_IsTheHighestRuleLevel()
    {
        var engine = Engine(River(clearAfterMinutes: 0), Rain1h(clearAfterMinutes: 0));

        var transitions = Feed(
            engine,
            Good("rain-gauge", At(0), 22),           // rain watch
            Good("river-level", At(10), 3.9),        // river evacuate
            Good("rain-gauge", At(20), 10),          // rain prepare: station stays evacuate
            Good("river-level", At(30), 1.0));       // river none: station down to prepare

        Assert.Equal(
            ["none->watch", "watch->evacuate", "evacuate->prepare"],
            transitions.Where(t => t.Scope == TransitionScope.Station).Select(t => $"{t.From}->{t.To}"));
        Assert.Equal("prepare", engine.StationLevel);
    }

    [Fact]
    public void OnReadings_SameInstantOppositeMoves_StationMovesOnceWithoutDip()
    {
        var engine = Engine(River(clearAfterMinutes: 0), Rain1h(clearAfterMinutes: 0));
        engine.OnReading(Good("river-level", At(0), 3.3));

        // At one instant the river drops out of prepare while the rain reaches prepare.
        var transitions = engine.OnReadings([Good("river-level", At(10), 1.0), Good("rain-gauge", At(10), 31)]);

        Assert.DoesNotContain(transitions, t => t.Scope == TransitionScope.Station);
        Assert.Equal(2, RuleSteps(transitions).Count);
    }

    [Fact]
    public void OnReading_OlderThanPreviousOfSameSensor_IsIgnored()
    {
        var engine = Engine(River());
        engine.OnReading(Good("river-level", At(100), 1.0));

        Assert.Empty(engine.OnReading(Good("river-level", At(50), 4.0)));
        Assert.Empty(engine.OnReading(Good("unknown-sensor", At(150), 4.0)));
        Assert.Equal("none", engine.StationLevel);
    }

    [Fact]
    public void OnTick_WithTimeProvider_UsesItsNow()
    {
        var time = new FakeTimeProvider(T0);
        var engine = new RuleEngine(Levels, [River(holdSeconds: 30)], time);
        engine.OnReading(Good("river-level", T0, 3.0));

        time.Advance(TimeSpan.FromSeconds(29));
        Assert.Empty(engine.OnTick());
        time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(["00:00:30 rule river none->watch"], RuleSteps(engine.OnTick()));
    }

    [Fact]
    public void Restore_SnapshotOfLevelsAndTimers_ProducesNoTransitionAndTimersContinue()
    {
        var before = Engine(River(holdSeconds: 30), Rain1h());
        Feed(
            before,
            Good("rain-gauge", At(0), 25),            // watch; leaves the window at 01:00:00
            Good("river-level", At(0), 3.0),          // watch pending (hold 30 s)
            Good("river-level", At(31), 3.3));        // watch at 30 s, prepare pending from 31 s
        var snapshot = before.Snapshot();
        var versionBefore = before.StateVersion;
        Assert.True(versionBefore > 0);
        Assert.True(before.LevelVersion > 0);

        var after = Engine(River(holdSeconds: 30), Rain1h());
        Assert.Empty(after.Restore(snapshot));
        Assert.Equal("watch", after.StationLevel);
        after.Prime([Good("rain-gauge", At(0), 25), Good("river-level", At(0), 3.0), Good("river-level", At(31), 3.3)], At(40));

        var transitions = after.OnTick(At(60));

        // No re-announcement of watch; the hold begun at 31 s before the restart ends at 61 s, not 40 + 30.
        Assert.Empty(transitions);
        transitions = after.OnTick(At(61));
        Assert.Equal(["00:01:01 rule river watch->prepare", "00:01:01 station station watch->prepare"], transitions.Select(Describe));

        // The primed rain window: 25 mm leave at 01:00, the rule clears 30 minutes later.
        Assert.Equal(["01:30:00 rule rain-1h watch->none"], RuleSteps(after.OnTick(AtMinutes(120))));
    }

    [Fact]
    public void Restore_PendingClear_ContinuesFromTheSavedStart()
    {
        var before = Engine(River());
        Feed(before, Good("river-level", At(0), 3.3), Good("river-level", AtMinutes(10), 2.0));
        var snapshot = before.Snapshot();
        Assert.Equal(AtMinutes(10), snapshot.Rules[0].ClearSince);

        var after = Engine(River());
        after.Restore(snapshot);
        after.Prime([Good("river-level", AtMinutes(10), 2.0)], AtMinutes(15));
        var transitions = after.OnReading(Good("river-level", AtMinutes(20), 2.0));
        transitions = [.. transitions, .. after.OnTick(AtMinutes(41))];

        Assert.Equal(["00:40:00 rule river prepare->none"], RuleSteps(transitions));
    }

    [Fact]
    public void Restore_LevelNoLongerConfigured_StartsAtNoneAndRisesAgainIfTheConditionHolds()
    {
        var snapshot = new AlertStateSnapshot(At(0), [new RuleAlertState("river", "flood", null, []), new RuleAlertState("gone", "watch", null, [])]);
        var engine = Engine(River());

        var problems = engine.Restore(snapshot);
        var transitions = engine.OnReading(Good("river-level", At(10), 3.3));

        Assert.Equal(2, problems.Count);
        Assert.Equal(["00:00:10 rule river none->prepare"], RuleSteps(transitions));
    }

    [Fact]
    public void Constructor_ThresholdsDecreasingWithLevel_Throws()
    {
        Assert.Throws<ArgumentException>(() => RuleDefinition.ForThresholds(
            "bad", "s", RuleMeasure.Value, [new(Watch, 3.0), new(Prepare, 2.0)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => RuleDefinition.ForThresholds(
            "bad", "s", RuleMeasure.Sum(TimeSpan.Zero), [new(Watch, 3.0)]));
        Assert.Throws<ArgumentException>(() => new RuleEngine(Levels, [RuleDefinition.ForDigital("d", "s", DigitalState.Active, 7)]));
    }

    [Fact]
    public void Constructor_EqualThresholds_ThrowsAsTheStationFileIsRefused()
    {
        // An equal threshold would hide the lower level: each must rise above the one below.
        var e = Assert.Throws<ArgumentException>(() => RuleDefinition.ForThresholds(
            "flat", "s", RuleMeasure.Value, [new(Watch, 3.0), new(Prepare, 3.0)]));

        Assert.StartsWith("rule 'flat': the threshold of level 2 (3) does not rise above that of level 1 (3)", e.Message, StringComparison.Ordinal);
        Assert.Equal("the window must be longer than 0", RuleMeasure.Rise(TimeSpan.Zero).Problem());
        Assert.Null(RuleMeasure.Value.Problem());
        Assert.Equal("hysteresis -0.05 is negative; a level ends below threshold - hysteresis", RuleDefinition.HysteresisProblem(-0.05));
    }
}
