using EdgeGateway.Core.Rules;
using Microsoft.Extensions.Time.Testing;
using static EdgeGateway.Core.Tests.Rules.EngineFixture;

namespace EdgeGateway.Core.Tests.Rules;

/// <summary>What status reads from the engine: thresholds, latch, and the hold or clearAfter running, with the time left.</summary>
public sealed class RuleEngineStatusTests
{
    [Fact]
    public void GetRuleStatuses_HoldRunning_ShowsRisingWithTimeLeftThenNothingOnceRisen()
    {
        var clock = new FakeTimeProvider(T0);
        var engine = new RuleEngine(Levels, [River(holdSeconds: 30)], clock);

        engine.OnReading(Good("river-level", T0, 3.3));
        clock.Advance(TimeSpan.FromSeconds(12));
        engine.OnTick();
        var holding = engine.GetRuleStatuses().Single();

        Assert.Equal("none", holding.Level);
        Assert.Equal(new RulePending("prepare", At(30), TimeSpan.FromSeconds(18)), holding.Rising);
        Assert.Null(holding.Falling);
        Assert.Equal(("prepare", At(30)), (holding.PendingLevel, holding.RiseDue));

        clock.Advance(TimeSpan.FromSeconds(18));
        engine.OnTick();
        var risen = engine.GetRuleStatuses().Single();

        Assert.Equal("prepare", risen.Level);
        Assert.Null(risen.Rising);
    }

    [Fact]
    public void GetRuleStatuses_TwoLevelsHolding_ShowsTheRiseThatComesFirst()
    {
        var clock = new FakeTimeProvider(T0);
        var engine = new RuleEngine(Levels, [River(holdSeconds: 30)], clock);

        engine.OnReading(Good("river-level", T0, 3.3));
        clock.Advance(TimeSpan.FromSeconds(10));
        engine.OnReading(Good("river-level", clock.GetUtcNow(), 3.9));

        // watch held since 0 s (due at 30 s), prepare too; evacuate only since 10 s (due at 40 s).
        Assert.Equal(new RulePending("prepare", At(30), TimeSpan.FromSeconds(20)), engine.GetRuleStatuses().Single().Rising);
    }

    [Fact]
    public void GetRuleStatuses_ClearAfterRunning_ShowsFallingToTheLevelTheMeasureSupports()
    {
        var clock = new FakeTimeProvider(T0);
        var engine = new RuleEngine(Levels, [River(clearAfterMinutes: 2)], clock);
        engine.OnReading(Good("river-level", T0, 3.9));

        clock.Advance(TimeSpan.FromSeconds(30));
        engine.OnReading(Good("river-level", clock.GetUtcNow(), 3.0));
        clock.Advance(TimeSpan.FromSeconds(45));
        var falling = engine.GetRuleStatuses().Single();

        Assert.Equal("evacuate", falling.Level);
        Assert.Equal(new RulePending("watch", At(150), TimeSpan.FromSeconds(75)), falling.Falling);
        Assert.Null(falling.Rising);
        Assert.Equal(At(150), falling.ClearDue);
    }

    [Fact]
    public void GetRuleStatuses_LatchedRuleAboveNone_IsLatchedWithItsThresholds()
    {
        var latched = RuleDefinition.ForThresholds(
            "river", "river-level", RuleMeasure.Value, [new(Prepare, 3.2), new(Evacuate, 3.8)], latch: true);
        var manual = RuleDefinition.ForDigital("manual", "manual-switch", DigitalState.Active, Evacuate, latch: true);
        var engine = new RuleEngine(Levels, [latched, manual], new FakeTimeProvider(T0));

        engine.OnReading(Good("river-level", T0, 3.5));
        engine.OnReading(Good("river-level", At(1), 1.0));
        var statuses = engine.GetRuleStatuses();

        var river = statuses.Single(s => s.RuleId == "river");
        Assert.Equal(("prepare", true), (river.Level, river.Latched));
        Assert.Equal([KeyValuePair.Create("prepare", 3.2), KeyValuePair.Create("evacuate", 3.8)], river.Thresholds);
        Assert.Null(river.Falling);
        Assert.Null(river.When);
        var idle = statuses.Single(s => s.RuleId == "manual");
        Assert.Equal(("none", false, DigitalState.Active), (idle.Level, idle.Latched, idle.When));
        Assert.Empty(idle.Thresholds);
    }

    [Fact]
    public void Measure_RiseOfTwoReadings_HasNoBinaryNoise()
    {
        var rise = RuleDefinition.ForThresholds("rise-1h", "river-level", RuleMeasure.Rise(TimeSpan.FromHours(1)), [new(Watch, 0.5)]);
        var engine = Engine(rise);

        engine.OnReading(Good("river-level", T0, 3.755));
        engine.OnReading(Good("river-level", At(60), 3.1));

        // 3.1 - 3.755 in binary is -0.6549999999999998.
        Assert.Equal(-0.655, engine.GetRuleStatuses().Single().Measure);
    }

    [Fact]
    public void Prime_SumWindowFromHistory_ShowsItsMeasureBeforeAnyNewReading()
    {
        var engine = Engine(Rain1h());

        engine.Prime([Good("rain-gauge", AtMinutes(10), 2.5), Good("rain-gauge", AtMinutes(40), 2.5)], AtMinutes(50));

        Assert.Equal(5, engine.GetRuleStatuses().Single().Measure);
    }
}
