using EdgeGateway.Core.Alerting;

namespace EdgeGateway.Broadcast.Internal;

/// <summary>
/// What a station level change plays and owes, from the station's <see cref="AlertLevels"/> and the all-clear in
/// force: a rise to a level with a broadcast plays it (automatic, ranked by the level's rank), a return to none plays
/// the all-clear, and a step down plays nothing. A level arrives as the object of a transition; its broadcast is read
/// from the options in force at its rank, so a reloaded cue counts from the next change.
/// </summary>
internal sealed class LevelPolicy(BroadcastOptions options)
{
    public BroadcastCue? AllClear => options.AllClear;

    public AlertLevels Levels => options.Levels;

    /// <summary>The level in force at the rank of <paramref name="level"/>; <see cref="ArgumentException"/> for a level of another list.</summary>
    public AlertLevel InForce(AlertLevel level)
    {
        ArgumentNullException.ThrowIfNull(level);
        var levels = options.Levels;
        return level.Rank < levels.Count && levels[level.Rank].Id == level.Id
            ? levels[level.Rank]
            : throw new ArgumentException($"unknown alert level '{level.Id}'", nameof(level));
    }

    /// <summary>The broadcast the village is owed once the station is at <paramref name="toLevel"/>; null for none.</summary>
    public WarningObligation? Owed(AlertLevel fromLevel, AlertLevel toLevel, bool allClear, DateTimeOffset now)
    {
        var from = InForce(fromLevel);
        var to = InForce(toLevel);
        if (to.IsNone)
        {
            return !from.IsNone && allClear && options.AllClear is { } cue
                ? new WarningObligation(WarningObligation.AllClearKey, cue.Message, cue.Repeat, 0, now)
                : null;
        }

        return to.Rank > from.Rank && to.Broadcast is { } broadcast
            ? new WarningObligation(WarningObligation.LevelKeyPrefix + to.Id, broadcast.Message, broadcast.Repeat, to.Rank, now)
            : null;
    }

    public static BroadcastRequest AllClearRequest(BroadcastCue cue) => new()
    {
        Message = cue.Message,
        Repeat = cue.Repeat,
        Origin = BroadcastOrigin.Automatic,
        Rank = 0,
        Key = WarningObligation.AllClearKey,
    };

    /// <summary>What a rise to <paramref name="to"/> (a level in force) plays; null for a level that only reports.</summary>
    public static BroadcastRequest? RiseRequest(AlertLevel to, BroadcastOrigin origin) =>
        to.Broadcast is { } broadcast
            ? new BroadcastRequest
            {
                Message = broadcast.Message,
                Repeat = broadcast.Repeat,
                Origin = origin,
                Rank = to.Rank,
                Key = WarningObligation.LevelKeyPrefix + to.Id,
            }
            : null;

    /// <summary>An automatic broadcast of a level (not the all-clear, not what a person asked for).</summary>
    public static bool IsLevelBroadcast(BroadcastRequest request) =>
        request.Key?.StartsWith(WarningObligation.LevelKeyPrefix, StringComparison.Ordinal) == true;
}
