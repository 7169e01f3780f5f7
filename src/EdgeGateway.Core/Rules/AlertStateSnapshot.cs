namespace EdgeGateway.Core.Rules;

/// <summary>
/// What a restart must not forget: each rule's level and its running timers. Windows are not part of it:
/// they are rebuilt from the readings history (<see cref="RuleEngine.Prime"/>).
/// </summary>
/// <param name="Time">The engine's clock when the snapshot was taken.</param>
public sealed record AlertStateSnapshot(DateTimeOffset Time, IReadOnlyList<RuleAlertState> Rules)
{
    /// <summary>The broadcast still owed for the level (saved with it, in one transaction); null when none is.</summary>
    public Alerting.WarningObligation? Owed { get; init; }
}

/// <summary>
/// One rule's persisted state. <paramref name="ConditionSince"/> holds, for each level whose condition
/// currently holds, when that unbroken run began (a pending hold when the level is above
/// <paramref name="Level"/>); <paramref name="ClearSince"/> is when the measure went below the current
/// level (a pending step-down), if it has.
/// </summary>
public sealed record RuleAlertState(
    string RuleId,
    string Level,
    DateTimeOffset? ClearSince,
    IReadOnlyList<LevelSince> ConditionSince);

/// <summary>A level id and the time its condition began to hold.</summary>
public readonly record struct LevelSince(string Level, DateTimeOffset Since);

/// <summary>
/// Durable home of the alert state. <see cref="Save"/> with <c>durable: true</c> must not return before
/// the snapshot is on stable storage (used when a level changed); otherwise it may rely on the OS.
/// </summary>
public interface IAlertStateStore
{
    /// <summary>The last saved snapshot, or null when none was ever saved.</summary>
    AlertStateSnapshot? Load();

    void Save(AlertStateSnapshot snapshot, bool durable);
}
