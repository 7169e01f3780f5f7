using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Readings;
using EdgeGateway.Core.Rules;

namespace EdgeGateway.Core.Tests.Rules;

/// <summary>The example station's levels and a clock in seconds from a fixed origin.</summary>
internal static class EngineFixture
{
    public static readonly DateTimeOffset T0 = new(2026, 7, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly AlertLevels Levels = new(["watch", "prepare", "evacuate"]);

    public const int Watch = 1;
    public const int Prepare = 2;
    public const int Evacuate = 3;

    public static DateTimeOffset At(double seconds) => T0.AddSeconds(seconds);

    public static DateTimeOffset AtMinutes(double minutes) => T0.AddMinutes(minutes);

    public static Reading Good(string sensor, DateTimeOffset time, double value) => new(sensor, time, value, Quality.Good);

    /// <summary>The example's river rule: watch 2.8, prepare 3.2, evacuate 3.8.</summary>
    public static RuleDefinition River(double hysteresis = 0.05, double holdSeconds = 0, double clearAfterMinutes = 30) =>
        RuleDefinition.ForThresholds(
            "river",
            "river-level",
            RuleMeasure.Value,
            [new(Watch, 2.8), new(Prepare, 3.2), new(Evacuate, 3.8)],
            hysteresis,
            TimeSpan.FromSeconds(holdSeconds),
            TimeSpan.FromMinutes(clearAfterMinutes));

    /// <summary>The example's rain-1h rule: sum over an hour, watch 20, prepare 30, evacuate 50.</summary>
    public static RuleDefinition Rain1h(double clearAfterMinutes = 30) =>
        RuleDefinition.ForThresholds(
            "rain-1h",
            "rain-gauge",
            RuleMeasure.Sum(TimeSpan.FromHours(1)),
            [new(Watch, 20), new(Prepare, 30), new(Evacuate, 50)],
            clearAfter: TimeSpan.FromMinutes(clearAfterMinutes));

    public static RuleEngine Engine(params RuleDefinition[] rules) => new(Levels, rules);

    public static List<LevelTransition> Feed(RuleEngine engine, params Reading[] readings)
    {
        var all = new List<LevelTransition>();
        foreach (var r in readings)
        {
            all.AddRange(engine.OnReading(r));
        }

        return all;
    }

    public static string Describe(LevelTransition t) =>
        $"{t.Time:HH:mm:ss} {(t.Scope == TransitionScope.Rule ? "rule" : "station")} {t.Id} {t.From}->{t.To}";

    public static List<string> RuleSteps(IEnumerable<LevelTransition> transitions) =>
        [.. transitions.Where(t => t.Scope == TransitionScope.Rule).Select(Describe)];
}
