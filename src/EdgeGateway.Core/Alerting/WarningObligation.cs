namespace EdgeGateway.Core.Alerting;

/// <summary>
/// The broadcast the village is owed for the station's level: the level's own broadcast while the level is
/// above none, the all-clear after a return to none. Kept with the levels (<see cref="Rules.AlertStateSnapshot.Owed"/>)
/// so a process that dies mid-warning plays it again after the restart.
/// </summary>
/// <param name="Key">What it is: <c>level:ID</c> for a level's broadcast, <c>all-clear</c> for the all-clear.</param>
/// <param name="Message">The configured message to play.</param>
/// <param name="Repeat">How many times, all of them owed.</param>
/// <param name="Rank">Its order among automatic broadcasts (the all-clear lowest, then each level upwards).</param>
/// <param name="Since">When the station level that owes it was reached.</param>
public sealed record WarningObligation(string Key, string Message, int Repeat, int Rank, DateTimeOffset Since)
{
    public const string AllClearKey = "all-clear";

    public const string LevelKeyPrefix = "level:";

    /// <summary>Whether this is what a station at <paramref name="stationLevel"/> can owe (a level owes its own broadcast, none the all-clear).</summary>
    public bool BelongsTo(string stationLevel) =>
        Key == (stationLevel == "none" ? AllClearKey : LevelKeyPrefix + stationLevel);
}

/// <summary>
/// Keeps the station's <see cref="WarningObligation"/>. The rule pipeline tells it of each station level change
/// on the rule loop before the new level is saved, and saves <see cref="Current"/> in the same transaction as
/// the levels; <see cref="Changed"/> says the obligation changed by itself (discharged, given up), so it is
/// saved again.
/// </summary>
public interface IWarningObligations
{
    WarningObligation? Current { get; }

    event EventHandler? Changed;

    /// <summary>
    /// The station level is about to change from <paramref name="fromLevel"/> to <paramref name="toLevel"/>: the obligation
    /// becomes what <paramref name="toLevel"/> owes (<paramref name="allClear"/> false: a return to none owes nothing).
    /// </summary>
    void OnStationLevelChanging(AlertLevel fromLevel, AlertLevel toLevel, bool allClear = true);

    /// <summary>At start: what the store held, with the station level restored beside it; an obligation still owed plays again.</summary>
    void Restore(WarningObligation? owed, string stationLevel);
}
