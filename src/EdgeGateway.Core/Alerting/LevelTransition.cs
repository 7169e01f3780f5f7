namespace EdgeGateway.Core.Alerting;

/// <summary>Whether a transition belongs to one rule or to the station as a whole.</summary>
public enum TransitionScope
{
    Rule,
    Station,
}

/// <summary>
/// A change of level. Level ids are those of <c>alerting.levels</c>, with "none" below the first.
/// <see cref="Value"/> is the rule's measure at that instant and <see cref="Threshold"/> the threshold of
/// the level reached (or left, when stepping down); both are null for the station scope.
/// </summary>
public sealed record LevelTransition(
    DateTimeOffset Time,
    TransitionScope Scope,
    string Id,
    string From,
    string To,
    double? Value = null,
    double? Threshold = null)
{
    public const string None = "none";
    public const string StationId = "station";

    /// <summary>
    /// Caused by a forced clear: the level was dropped on someone's word while the hazard could not be judged
    /// (a faulty sensor) or for every station at once, so nothing may announce that the danger is over.
    /// </summary>
    public bool Forced { get; init; }
}
