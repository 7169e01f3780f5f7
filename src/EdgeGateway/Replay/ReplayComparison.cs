using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using EdgeGateway.Core.Alerting;

namespace EdgeGateway.Replay;

/// <summary>When one level was first reached (at or above it) under each configuration.</summary>
public sealed record FirstRise(string Scope, string Id, string Level, DateTimeOffset? Current, DateTimeOffset? Proposed)
{
    /// <summary>Seconds the proposed configuration warns earlier (positive) or later (negative); null unless both reached it.</summary>
    public long? LeadSeconds => Current is { } c && Proposed is { } p ? (long)(c - p).TotalSeconds : null;
}

/// <summary>
/// <c>edgegw replay --compare OTHER.yaml</c>: both configurations over the same readings, each level's first
/// rise side by side. A level counts as reached when the rule (or the station) stands at it or above, so a
/// jump from none to evacuate also reaches prepare: the lead time is how much sooner people hear of it.
/// </summary>
public sealed class ReplayComparison
{
    private ReplayComparison(IReadOnlyList<FirstRise> rows, ReplaySummary current, ReplaySummary proposed)
    {
        Rows = rows;
        Current = current;
        Proposed = proposed;
    }

    public IReadOnlyList<FirstRise> Rows { get; }

    public ReplaySummary Current { get; }

    public ReplaySummary Proposed { get; }

    /// <summary>Rows in order: the station, then each rule (current's order, then rules only the proposed has); levels lowest first.</summary>
    public static ReplayComparison Build(ReplaySummary current, ReplaySummary proposed)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(proposed);
        var currentLevels = current.LevelIds;
        var proposedLevels = proposed.LevelIds;
        var levels = currentLevels.Concat(proposedLevels).Distinct(StringComparer.Ordinal).ToList();
        var a = FirstReached(current.Transitions, currentLevels);
        var b = FirstReached(proposed.Transitions, proposedLevels);
        var scopes = new List<(string Scope, string Id)> { ("station", LevelTransition.StationId) };
        scopes.AddRange(current.Rules.Select(r => ("rule", r.Id)));
        scopes.AddRange(proposed.Rules.Select(r => ("rule", r.Id)).Where(r => !scopes.Contains(r)));
        var rows = new List<FirstRise>();
        foreach (var (scope, id) in scopes)
        {
            // A rule's own levels (a threshold in either file): reaching prepare does not put a rule without
            // a watch threshold at watch.
            var own = scope == "station"
                ? levels
                : [.. levels.Where(l => current.Rules.Concat(proposed.Rules).Any(r => r.Id == id && r.Levels.Contains(l)))];
            foreach (var level in own)
            {
                var key = (scope, id, level);
                var ca = a.TryGetValue(key, out var x) ? x : (DateTimeOffset?)null;
                var pb = b.TryGetValue(key, out var y) ? y : (DateTimeOffset?)null;
                if (ca is not null || pb is not null)
                {
                    rows.Add(new FirstRise(scope, id, level, ca, pb));
                }
            }
        }

        return new ReplayComparison(rows, current, proposed);
    }

    private static Dictionary<(string, string, string), DateTimeOffset> FirstReached(IEnumerable<LevelTransition> transitions, IReadOnlyList<string> levels)
    {
        var first = new Dictionary<(string, string, string), DateTimeOffset>();
        foreach (var t in transitions)
        {
            var to = t.ToLevel.Rank - 1; // the levels without none, lowest first: none is -1
            var scope = t.Scope == TransitionScope.Station ? "station" : "rule";
            for (var i = 0; i <= to; i++)
            {
                first.TryAdd((scope, t.Id, levels[i]), t.Time);
            }
        }

        return first;
    }

    public string ToText(string currentName, string proposedName, string readingsName)
    {
        var text = new StringBuilder();
        if (Rows.Count == 0)
        {
            return $"no level transitions with either {currentName} or {proposedName}: " + ReplayRunner.NoTransitions(readingsName, Current.Span);
        }

        // 23 + 20 + 20 + a lead of up to 14 columns, with separating spaces: 80 columns.
        text.AppendLine(Row("first reached", "current", "proposed", "lead time"));
        text.AppendLine(Row("", Short(currentName), Short(proposedName), "").TrimEnd());
        foreach (var row in Rows)
        {
            text.AppendLine(Row(
                $"{row.Id} {row.Level}",
                row.Current is { } c ? TransitionFormat.Time(c) : "never",
                row.Proposed is { } p ? TransitionFormat.Time(p) : "never",
                Lead(row)));
        }

        return text.ToString().TrimEnd();
    }

    public JsonObject ToJson(string currentName, string proposedName)
    {
        var rows = new JsonArray();
        foreach (var row in Rows)
        {
            rows.Add((JsonNode)new JsonObject
            {
                ["scope"] = row.Scope,
                ["id"] = row.Id,
                ["level"] = row.Level,
                ["current"] = row.Current is { } c ? TransitionFormat.Time(c) : null,
                ["proposed"] = row.Proposed is { } p ? TransitionFormat.Time(p) : null,
                ["leadSeconds"] = row.LeadSeconds,
            });
        }

        return new JsonObject { ["current"] = currentName, ["proposed"] = proposedName, ["rises"] = rows };
    }

    private static string Lead(FirstRise row) => row.LeadSeconds switch
    {
        null when row.Current is null => "only proposed",
        null => "only current",
        0 => "same",
        > 0 and var s => string.Create(CultureInfo.InvariantCulture, $"{s} s gained"),
        var s => string.Create(CultureInfo.InvariantCulture, $"{-s} s lost"),
    };

    private static string Row(string label, string current, string proposed, string lead) =>
        $"{Fit(label, 23),-23} {current,-20} {proposed,-20} {lead}";

    private static string Short(string path) => Fit(Path.GetFileName(path), 20);

    private static string Fit(string text, int width) => text.Length <= width ? text : text[..(width - 3)] + "...";
}
