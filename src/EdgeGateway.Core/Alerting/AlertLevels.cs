using System.Collections;

namespace EdgeGateway.Core.Alerting;

/// <summary>
/// One alert level of <c>alerting.levels</c> with everything its consumers need: the rule engine its
/// <see cref="Rank"/>, the broadcaster its <see cref="Broadcast"/>, the uplink its CAP terms and texts.
/// </summary>
/// <param name="Id">The level's id (<c>none</c> for the level below the first).</param>
public sealed record AlertLevel(string Id)
{
    /// <summary>Its place in the <see cref="AlertLevels"/> it belongs to: 0 is none, a higher rank is a more serious level.</summary>
    public int Rank { get; init; }

    /// <summary>CAP 1.2 severity: Extreme, Severe, Moderate, Minor or Unknown.</summary>
    public string Severity { get; init; } = "Unknown";

    /// <summary>CAP responseType; null: derived from the id (evacuate: Evacuate, prepare: Prepare, else Monitor).</summary>
    public string? ResponseType { get; init; }

    /// <summary>CAP urgency; null: Immediate for the highest level, Expected below, Future for the lowest of three or more.</summary>
    public string? Urgency { get; init; }

    /// <summary>The level's CAP headline, description and instruction in the station's language; null: English.</summary>
    public CapTexts? Cap { get; init; }

    /// <summary>What a rise to this level plays; null for a level that only reports (such as watch).</summary>
    public BroadcastCue? Broadcast { get; init; }

    /// <summary>Whether this is none, the level below the first.</summary>
    public bool IsNone => Rank == 0;

    public override string ToString() => Id;
}

/// <summary>What plays on an event: a message and how many times.</summary>
public sealed record BroadcastCue(string Message, int Repeat = BroadcastCue.DefaultRepeat)
{
    /// <summary>Default <see cref="Repeat"/>: the message plays once.</summary>
    public const int DefaultRepeat = 1;

    /// <summary>The problem with <paramref name="repeat"/> as a cue's repeat count; null when it is one.</summary>
    public static string? RepeatProblem(int repeat) => repeat < 1 ? $"repeat {repeat}: a message plays at least once" : null;
}

/// <summary>
/// The station's alert levels, lowest first, with "none" implicit at rank 0 below the first. Built once from the
/// station file and handed to every consumer (rule engine, pipeline, broadcaster, uplink); a level transition
/// carries the levels themselves, so no consumer looks a name up again. Indexed by rank; enumerates none first.
/// </summary>
public sealed class AlertLevels : IReadOnlyList<AlertLevel>
{
    private readonly AlertLevel[] _levels;
    private readonly Dictionary<string, AlertLevel> _byId;

    /// <summary>Levels with these ids and nothing else (no CAP terms, no broadcasts).</summary>
    public AlertLevels(IEnumerable<string> levelIds)
        : this((levelIds ?? throw new ArgumentNullException(nameof(levelIds))).Select(id => new AlertLevel(id)))
    {
    }

    /// <summary>These levels, lowest first; each takes its rank from its place here.</summary>
    public AlertLevels(IEnumerable<AlertLevel> levels)
    {
        ArgumentNullException.ThrowIfNull(levels);
        var list = new List<AlertLevel> { None };
        _byId = new Dictionary<string, AlertLevel>(StringComparer.Ordinal) { [None.Id] = None };
        foreach (var given in levels)
        {
            if (string.IsNullOrEmpty(given?.Id))
            {
                throw new ArgumentException("a level id is empty", nameof(levels));
            }

            var level = given with { Rank = list.Count };
            if (!_byId.TryAdd(level.Id, level))
            {
                throw new ArgumentException($"level '{level.Id}' is listed twice (or is the reserved 'none')", nameof(levels));
            }

            list.Add(level);
        }

        _levels = [.. list];
    }

    /// <summary>The level below the first (rank 0).</summary>
    public static AlertLevel None { get; } = new(LevelTransition.None);

    /// <summary>No levels but none.</summary>
    public static AlertLevels Empty { get; } = new(Array.Empty<AlertLevel>());

    /// <summary>Number of levels including none.</summary>
    public int Count => _levels.Length;

    /// <summary>The highest rank.</summary>
    public int Highest => _levels.Length - 1;

    /// <summary>The level of <paramref name="rank"/> (0 is none).</summary>
    public AlertLevel this[int rank] => _levels[rank];

    /// <summary>The configured levels, lowest first, without none.</summary>
    public IReadOnlyList<AlertLevel> Configured => new ArraySegment<AlertLevel>(_levels, 1, _levels.Length - 1);

    /// <summary>The configured ids, lowest first, without none.</summary>
    public IEnumerable<string> Ids => Configured.Select(l => l.Id);

    /// <summary>Where a name comes from outside (the station file, the saved state, an operator): the level it names.</summary>
    public bool TryGet(string levelId, out AlertLevel level) => _byId.TryGetValue(levelId, out level!);

    /// <summary>The level <paramref name="levelId"/> names; <see cref="ArgumentException"/> for one not in the list.</summary>
    public AlertLevel Get(string levelId) =>
        _byId.TryGetValue(levelId, out var level)
            ? level
            : throw new ArgumentException($"unknown level '{levelId}'", nameof(levelId));

    public bool TryGetRank(string levelId, out int rank)
    {
        var found = _byId.TryGetValue(levelId, out var level);
        rank = found ? level!.Rank : 0;
        return found;
    }

    public int RankOf(string levelId) => Get(levelId).Rank;

    /// <summary>Whether <paramref name="other"/> has the same ids in the same order (what the consumers are built on).</summary>
    public bool SameIds(AlertLevels other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Ids.SequenceEqual(other.Ids, StringComparer.Ordinal);
    }

    /// <summary>The configured ids, comma separated, for messages.</summary>
    public override string ToString() => string.Join(", ", Ids);

    public IEnumerator<AlertLevel> GetEnumerator() => ((IEnumerable<AlertLevel>)_levels).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
