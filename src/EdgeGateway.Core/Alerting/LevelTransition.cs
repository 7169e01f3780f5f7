namespace EdgeGateway.Core.Alerting;

/// <summary>Whether a transition belongs to one rule or to the station as a whole.</summary>
public enum TransitionScope
{
    Rule,
    Station,
}

/// <summary>
/// A change of level, carrying the levels themselves (<see cref="AlertLevels"/>: id, rank, CAP terms, broadcast),
/// so a consumer compares ranks and reads what a level means without looking its name up; <see cref="From"/> and
/// <see cref="To"/> are their ids, as payloads and logs spell them. <see cref="Value"/> is the rule's measure at that instant and <see cref="Threshold"/> the threshold of
/// the level reached (or left, when stepping down); both are null for the station scope.
/// </summary>
public sealed record LevelTransition(
    DateTimeOffset Time,
    TransitionScope Scope,
    string Id,
    AlertLevel FromLevel,
    AlertLevel ToLevel,
    double? Value = null,
    double? Threshold = null)
{
    public const string None = "none";
    public const string StationId = "station";

    /// <summary>The id of the level left (<c>none</c> below the first).</summary>
    public string From => FromLevel.Id;

    /// <summary>The id of the level reached.</summary>
    public string To => ToLevel.Id;

    /// <summary>A rise: the level reached ranks above the level left.</summary>
    public bool Rises => ToLevel.Rank > FromLevel.Rank;

    /// <summary>
    /// Caused by a forced clear: the level was dropped on someone's word while the hazard could not be judged
    /// (a faulty sensor) or for every station at once, so nothing may announce that the danger is over.
    /// </summary>
    public bool Forced { get; init; }
}
