using EdgeGateway.Acquisition.History;
using EdgeGateway.Configuration;
using EdgeGateway.Core.Readings;
using EdgeGateway.Hosting.Reload;

namespace EdgeGateway.Hosting.Pipeline;

/// <summary>
/// Applies a reloaded <c>alerting</c> section live: the rule engine takes the new rules on the rule loop, keeping
/// every alarm (see <see cref="StationPipeline.ReconfigureRulesAsync"/>). The level list itself (names and order)
/// is what the engine, the broadcaster and the hub's CAP mapping are built on: a change of it is refused here and
/// takes effect at the next restart, while the rules in force stay.
/// </summary>
internal sealed class RulesConfigApplier(StationPipeline pipeline, ReadingHistory? history) : IConfigApplier
{
    public string Name => "rules";

    public IReadOnlyCollection<string> Sections { get; } = ["alerting"];

    public async Task ApplyAsync(StationConfig previous, StationConfig current, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(current);
        var running = pipeline.Engine.Levels;
        var wanted = LevelMapping.Levels(current);
        if (!wanted.SameIds(running))
        {
            throw new InvalidOperationException(
                $"alerting.levels changed ({running} -> {wanted}): "
                + "the level list takes effect at the next restart; the rules in force are unchanged");
        }

        var rules = RuleMapping.Rules(current, running);
        Func<IEnumerable<Reading>>? load = history is null
            ? null
            : () => history.LoadRecent(PipelineServiceCollectionExtensions.HistoryWindow(rules)).Values.SelectMany(r => r).OrderBy(r => r.Time).ToList();
        await pipeline.ReconfigureRulesAsync(rules, load, cancellationToken).ConfigureAwait(false);
    }
}
