using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Rules;

namespace EdgeGateway.Configuration;

/// <summary>Turns the <c>alerting</c> section of a valid station.yaml into the rule engine's definitions.</summary>
public static class RuleMapping
{
    /// <summary>
    /// One definition per rule, in file order. A rule's own <c>clearAfter</c> overrides <c>alerting.clearAfter</c>;
    /// thresholds are ordered by level whatever their order under <c>above</c>. Throws
    /// <see cref="ArgumentException"/> naming the rule for what the validator should have refused.
    /// </summary>
    public static IReadOnlyList<RuleDefinition> Rules(StationConfig config, AlertLevels levels)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(levels);
        var rules = new List<RuleDefinition>(config.Alerting.Rules.Count);
        foreach (var rule in config.Alerting.Rules)
        {
            var clearAfter = rule.ClearAfter ?? config.Alerting.ClearAfter;
            if (rule.When is { } when)
            {
                var level = rule.Level ?? throw new ArgumentException($"rule '{rule.Id}': a digital rule needs a level");
                rules.Add(RuleDefinition.ForDigital(
                    rule.Id,
                    rule.Sensor,
                    when == DigitalCondition.Active ? DigitalState.Active : DigitalState.Inactive,
                    levels.RankOf(level),
                    rule.Hold,
                    clearAfter,
                    rule.Latch));
                continue;
            }

            var measure = rule.Measure is null ? RuleMeasure.Value : Measure(rule.Measure);
            var thresholds = (rule.Above ?? [])
                .Select(a => new LevelThreshold(levels.RankOf(a.Key), a.Value))
                .OrderBy(t => t.Level);
            rules.Add(RuleDefinition.ForThresholds(
                rule.Id, rule.Sensor, measure, thresholds, rule.Hysteresis, rule.Hold, clearAfter, rule.Latch));
        }

        return rules;
    }

    /// <summary>A rule's <c>measure</c> as the rule engine takes it.</summary>
    public static RuleMeasure Measure(MeasureConfig measure)
    {
        ArgumentNullException.ThrowIfNull(measure);
        return measure.Kind switch
        {
            MeasureKind.Sum => RuleMeasure.Sum(measure.Window),
            MeasureKind.Rise => RuleMeasure.Rise(measure.Window),
            _ => RuleMeasure.Value,
        };
    }
}
