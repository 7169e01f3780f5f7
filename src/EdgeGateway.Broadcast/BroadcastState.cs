namespace EdgeGateway.Broadcast;

public enum BroadcastPhase
{
    Idle,
    WarmingUp,
    Playing,
    Gap,
    Tail,
    SelfTest,
}

/// <summary>How a broadcast ended. Only <see cref="Completed"/> means every repeat of the intended message played.</summary>
public enum BroadcastOutcome
{
    Completed,

    /// <summary>A higher-priority broadcast took over (expected; not a fault).</summary>
    Preempted,

    /// <summary>The station returned to none and its automatic broadcast gave way to the all-clear.</summary>
    Superseded,

    Stopped,

    /// <summary>The message could not be played; the siren sounded in its place.</summary>
    Fallback,

    /// <summary>Nothing could be played (the audio device failed for the siren too, or a relay failed).</summary>
    Failed,

    /// <summary>The service stopped mid-broadcast.</summary>
    Shutdown,
}

/// <summary>A broadcast playing or waiting, as status shows it.</summary>
public sealed record BroadcastItem(
    Guid Id,
    string Message,
    BroadcastOrigin Origin,
    BroadcastPriority Priority,
    int Repeat,
    int RepeatsPlayed,
    DateTimeOffset? StartedAt);

/// <summary>The last self-test (silent or audible).</summary>
public sealed record SelfTestReport(DateTimeOffset Time, bool Silent, string Outcome, IReadOnlyList<string> Problems);

/// <summary>A snapshot for <c>edgegw status</c>; <paramref name="Owed"/> is the broadcast the village is owed, if any.</summary>
public sealed record BroadcastState(
    BroadcastPhase Phase,
    BroadcastItem? Current,
    IReadOnlyList<BroadcastItem> Queue,
    bool Amplifier,
    IReadOnlyDictionary<string, bool> Zones,
    string Sink,
    SelfTestReport? LastSelfTest,
    IReadOnlyList<string> Problems,
    EdgeGateway.Core.Alerting.WarningObligation? Owed = null)
{
    public bool IsIdle => Phase == BroadcastPhase.Idle && Current is null && Queue.Count == 0;
}

/// <summary>What <see cref="BroadcastController.Enqueue"/> did with a request.</summary>
public sealed record EnqueueResult(Guid Id, bool Accepted, bool Preempting, int QueuePosition, string? Reason = null);

/// <summary>
/// How an accepted request ended: <paramref name="Outcome"/> is <c>completed</c>, <c>preempted</c>, <c>stopped</c>,
/// <c>failed</c>, ... (a test: <c>passed</c>, <c>failed</c>, <c>interrupted</c>, ...); <paramref name="Ok"/> only
/// when it played to its end (a test: passed).
/// </summary>
public sealed record BroadcastEnd(Guid Id, string Outcome, bool Ok, string? Error = null);
