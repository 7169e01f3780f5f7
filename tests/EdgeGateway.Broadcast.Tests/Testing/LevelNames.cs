using EdgeGateway.Core.Alerting;

namespace EdgeGateway.Broadcast.Tests.Testing;

/// <summary>Station level changes named as a test reads them, resolved in the controller's levels (as a transition carries them).</summary>
internal static class LevelNames
{
    public static EnqueueResult? OnStationLevelChanged(
        this BroadcastController controller, string fromLevel, string toLevel, BroadcastOrigin origin = BroadcastOrigin.Automatic, bool allClear = true) =>
        controller.OnStationLevelChanged(controller.Levels.Get(fromLevel), controller.Levels.Get(toLevel), origin, allClear);

    public static void OnStationLevelChanging(this BroadcastController controller, string fromLevel, string toLevel, bool allClear = true) =>
        controller.OnStationLevelChanging(controller.Levels.Get(fromLevel), controller.Levels.Get(toLevel), allClear);

    /// <summary><paramref name="levels"/> with the level <paramref name="id"/> playing <paramref name="cue"/> (added on top when new).</summary>
    public static AlertLevels With(this AlertLevels levels, string id, BroadcastCue? cue) =>
        levels.TryGet(id, out _)
            ? new AlertLevels(levels.Configured.Select(l => l.Id == id ? l with { Broadcast = cue } : l))
            : new AlertLevels([.. levels.Configured, new AlertLevel(id) { Broadcast = cue }]);
}
