using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using EdgeGateway.Core.Alerting;
using EdgeGateway.Configuration;

namespace EdgeGateway.Replay;

/// <summary>One broadcast a replay's station level changes would have played.</summary>
public sealed record ReplayBroadcast(DateTimeOffset Time, string Kind, string Level, string Message, int Repeat);

/// <summary>
/// A rule's (or the station's) course through a replay: its highest measure and the time at each level;
/// <paramref name="Levels"/> are the levels it can stand at (a rule's thresholds), lowest first, without none.
/// </summary>
public sealed record ReplayCourse(string Id, double? Highest, DateTimeOffset? HighestAt, IReadOnlyList<KeyValuePair<string, TimeSpan>> TimeAtLevel, IReadOnlyList<string> Levels);

/// <summary>
/// <c>edgegw replay --summary</c>: what a readings file does to a configuration, for deciding on thresholds:
/// per rule the highest measure and when, the time spent at each level (from the first reading to the last),
/// and the broadcasts the station level changes would have played (a level's broadcast on each rise to it,
/// with its repeats; the all-clear on each return to none).
/// </summary>
public sealed class ReplaySummary
{
    private ReplaySummary(IReadOnlyList<string> levelIds, ReplaySpan span, IReadOnlyList<LevelTransition> transitions, IReadOnlyList<ReplayCourse> rules, ReplayCourse station, IReadOnlyList<ReplayBroadcast> broadcasts, bool hasSpeakers)
    {
        LevelIds = levelIds;
        Span = span;
        Transitions = transitions;
        Rules = rules;
        Station = station;
        Broadcasts = broadcasts;
        HasSpeakers = hasSpeakers;
    }

    /// <summary>The configuration's levels, lowest first (without none).</summary>
    public IReadOnlyList<string> LevelIds { get; }

    public ReplaySpan Span { get; }

    public IReadOnlyList<LevelTransition> Transitions { get; }

    public IReadOnlyList<ReplayCourse> Rules { get; }

    public ReplayCourse Station { get; }

    public IReadOnlyList<ReplayBroadcast> Broadcasts { get; }

    /// <summary>Whether the configuration has a broadcast section (without one nothing would have played).</summary>
    public bool HasSpeakers { get; }

    /// <summary>Replays <paramref name="stream"/> with <paramref name="config"/>; null (errors on <paramref name="error"/>) for a bad file.</summary>
    public static ReplaySummary? Build(StationConfig config, Stream stream, string fileName, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(config);
        var runner = ReplayRunner.FromConfig(config);
        var transitions = new List<LevelTransition>();
        var highest = new Dictionary<string, (double Value, DateTimeOffset Time)>(StringComparer.Ordinal);
        var code = runner.Replay(stream, fileName, error, transitions.Add, (engine, time) =>
        {
            foreach (var status in engine.GetRuleStatuses())
            {
                if (status.Measure is { } m && (!highest.TryGetValue(status.RuleId, out var best) || m > best.Value))
                {
                    highest[status.RuleId] = (m, time);
                }
            }
        }, out var span);
        if (code != Cli.ExitCodes.Success)
        {
            return null;
        }

        var levels = runner.Levels;
        // A rule is shown at the levels it has a threshold for (and none): a rain rule without a watch
        // threshold never stands at watch.
        var rules = runner.Rules.Select(r => Course(
            r.Id,
            highest.TryGetValue(r.Id, out var h) ? h : null,
            transitions.Where(t => t.Scope == TransitionScope.Rule && t.Id == r.Id),
            [.. r.Thresholds.Select(t => t.Level).Order().Select(i => levels[i].Id)],
            span)).ToList();
        var station = Course(
            LevelTransition.StationId,
            null,
            transitions.Where(t => t.Scope == TransitionScope.Station),
            [.. levels.Ids],
            span);
        return new ReplaySummary([.. levels.Ids], span, transitions, rules, station, WouldPlay(config, transitions), config.Broadcast is not null);
    }

    private static ReplayCourse Course(string id, (double Value, DateTimeOffset Time)? highest, IEnumerable<LevelTransition> transitions, IReadOnlyList<string> levels, ReplaySpan span)
    {
        var at = new Dictionary<string, TimeSpan>(StringComparer.Ordinal) { [LevelTransition.None] = TimeSpan.Zero };
        foreach (var level in levels)
        {
            at[level] = TimeSpan.Zero;
        }

        var current = LevelTransition.None;
        var since = span.First;
        foreach (var t in transitions)
        {
            at[current] = at.GetValueOrDefault(current) + (t.Time - since);
            current = t.To;
            since = t.Time;
        }

        if (span.Readings > 0)
        {
            at[current] = at.GetValueOrDefault(current) + (span.Last - since);
        }

        return new ReplayCourse(id, highest?.Value, highest?.Time, [.. at], levels);
    }

    private static List<ReplayBroadcast> WouldPlay(StationConfig config, IEnumerable<LevelTransition> transitions)
    {
        var list = new List<ReplayBroadcast>();
        if (config.Broadcast is null)
        {
            return list;
        }

        // The transitions carry the levels of this configuration, each with its broadcast.
        foreach (var t in transitions.Where(t => t.Scope == TransitionScope.Station))
        {
            if (t.ToLevel.IsNone)
            {
                if (LevelMapping.Cue(config.Alerting.AllClear) is { } allClear)
                {
                    list.Add(new ReplayBroadcast(t.Time, "all-clear", t.To, allClear.Message, allClear.Repeat));
                }
            }
            else if (t.Rises && t.ToLevel.Broadcast is { } cue)
            {
                // Stepping down plays nothing; a rise plays the new level's broadcast.
                list.Add(new ReplayBroadcast(t.Time, "level", t.To, cue.Message, cue.Repeat));
            }
        }

        return list;
    }

    public string ToText(string fileName)
    {
        var text = new StringBuilder();
        text.AppendLine(Span.Readings == 0 || Transitions.Count == 0
            ? ReplayRunner.NoTransitions(fileName, Span)
            : string.Create(CultureInfo.InvariantCulture, $"{Span.Readings} readings from {TransitionFormat.Time(Span.First)} to {TransitionFormat.Time(Span.Last)}; {Transitions.Count} level transitions"));
        foreach (var rule in Rules)
        {
            text.Append("rule ").Append(rule.Id).Append(": highest ")
                .AppendLine(rule.Highest is { } h ? $"{TransitionFormat.Number(h)} at {TransitionFormat.Time(rule.HighestAt!.Value)}" : "- (no measure)");
            text.Append("  ").AppendLine(Levels(rule));
        }

        text.Append("station: ").AppendLine(Levels(Station));
        if (!HasSpeakers)
        {
            text.AppendLine("no broadcasts: the configuration has no broadcast section");
        }
        else if (Broadcasts.Count == 0)
        {
            text.AppendLine("no broadcasts would have played");
        }
        else
        {
            text.AppendLine("broadcasts that would have played:");
            foreach (var b in Broadcasts)
            {
                text.Append("  ").Append(TransitionFormat.Time(b.Time)).Append(' ').Append(b.Message)
                    .Append(string.Create(CultureInfo.InvariantCulture, $" x{b.Repeat}"))
                    .AppendLine(b.Kind == "level" ? $" (station rose to {b.Level})" : " (station back to none)");
            }
        }

        return text.ToString().TrimEnd();
    }

    public JsonObject ToJson()
    {
        var rules = new JsonArray();
        foreach (var rule in Rules)
        {
            rules.Add((JsonNode)new JsonObject
            {
                ["id"] = rule.Id,
                ["highest"] = rule.Highest is { } h ? new JsonObject { ["measure"] = Number(h), ["time"] = TransitionFormat.Time(rule.HighestAt!.Value) } : null,
                ["secondsAtLevel"] = Seconds(rule),
            });
        }

        var broadcasts = new JsonArray();
        foreach (var b in Broadcasts)
        {
            broadcasts.Add((JsonNode)new JsonObject
            {
                ["time"] = TransitionFormat.Time(b.Time),
                ["kind"] = b.Kind,
                ["level"] = b.Level,
                ["message"] = b.Message,
                ["repeat"] = b.Repeat,
            });
        }

        return new JsonObject
        {
            ["readings"] = Span.Readings,
            ["from"] = Span.Readings == 0 ? null : TransitionFormat.Time(Span.First),
            ["to"] = Span.Readings == 0 ? null : TransitionFormat.Time(Span.Last),
            ["transitions"] = Transitions.Count,
            ["rules"] = rules,
            ["station"] = new JsonObject { ["secondsAtLevel"] = Seconds(Station) },
            ["broadcasts"] = broadcasts,
        };
    }

    /// <summary>A number as JSON in the same clean form as the text (no binary noise digits).</summary>
    public static JsonNode Number(double value) => JsonNode.Parse(TransitionFormat.Number(value))!;

    private static JsonObject Seconds(ReplayCourse course)
    {
        var o = new JsonObject();
        foreach (var (level, span) in course.TimeAtLevel)
        {
            o[level] = (long)span.TotalSeconds;
        }

        return o;
    }

    private static string Levels(ReplayCourse course) =>
        string.Join(", ", course.TimeAtLevel.Select(p => $"{p.Key} {Duration(p.Value)}"));

    /// <summary>A time span as a person reads it: 2h 50m, 45s, 1d 3h.</summary>
    public static string Duration(TimeSpan span)
    {
        var seconds = (long)span.TotalSeconds;
        if (seconds == 0)
        {
            return "0s";
        }

        var parts = new List<string>();
        foreach (var (unit, size) in new[] { ("d", 86400L), ("h", 3600L), ("m", 60L), ("s", 1L) })
        {
            if (seconds >= size)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{seconds / size}{unit}"));
                seconds %= size;
            }
        }

        return string.Join(' ', parts);
    }
}
