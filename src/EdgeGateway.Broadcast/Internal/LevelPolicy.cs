using EdgeGateway.Core.Alerting;

namespace EdgeGateway.Broadcast.Internal;

/// <summary>
/// What a station level change plays and owes, from the level list and the all-clear in force: a rise to a
/// level with a broadcast plays it (automatic, ranked by level), a return to none plays the all-clear, and a
/// step down plays nothing. Levels are indexed lowest first, none is -1.
/// </summary>
internal sealed class LevelPolicy(BroadcastOptions options)
{
    public BroadcastCue? AllClear => options.AllClear;

    public int IndexOf(string level)
    {
        if (level == "none")
        {
            return -1;
        }

        for (var i = 0; i < options.Levels.Count; i++)
        {
            if (options.Levels[i].Level == level)
            {
                return i;
            }
        }

        throw new ArgumentException($"unknown alert level '{level}'", nameof(level));
    }

    /// <summary>The broadcast the village is owed once the station is at <paramref name="toLevel"/>; null for none.</summary>
    public WarningObligation? Owed(string fromLevel, string toLevel, bool allClear, DateTimeOffset now)
    {
        var from = IndexOf(fromLevel);
        var to = IndexOf(toLevel);
        if (to < 0)
        {
            return from >= 0 && allClear && options.AllClear is { } cue
                ? new WarningObligation(WarningObligation.AllClearKey, cue.Message, cue.Repeat, 0, now)
                : null;
        }

        return to > from && options.Levels[to].Broadcast is { } broadcast
            ? new WarningObligation(WarningObligation.LevelKeyPrefix + toLevel, broadcast.Message, broadcast.Repeat, to + 1, now)
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

    /// <summary>What a rise to <paramref name="toLevel"/> (index <paramref name="to"/>) plays; null for a level that only reports.</summary>
    public BroadcastRequest? RiseRequest(int to, string toLevel, BroadcastOrigin origin) =>
        options.Levels[to].Broadcast is { } broadcast
            ? new BroadcastRequest
            {
                Message = broadcast.Message,
                Repeat = broadcast.Repeat,
                Origin = origin,
                Rank = to + 1,
                Key = WarningObligation.LevelKeyPrefix + toLevel,
            }
            : null;

    /// <summary>An automatic broadcast of a level (not the all-clear, not what a person asked for).</summary>
    public static bool IsLevelBroadcast(BroadcastRequest request) =>
        request.Key?.StartsWith(WarningObligation.LevelKeyPrefix, StringComparison.Ordinal) == true;
}
