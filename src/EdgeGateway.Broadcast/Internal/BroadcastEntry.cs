namespace EdgeGateway.Broadcast.Internal;

/// <summary>An accepted request, waiting or playing, with what the worker loop records about it.</summary>
internal sealed class BroadcastEntry(BroadcastRequest request, bool resumed = false)
{
    public BroadcastRequest Request { get; } = request;

    /// <summary>A further attempt at an owed broadcast (after preemption, a failure or a restart).</summary>
    public bool Resumed { get; } = resumed;

    public CancellationTokenSource Cancellation { get; set; } = new();

    public BroadcastOutcome? CancelReason { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public int RepeatsPlayed { get; set; }

    public BroadcastItem ToItem() => new(Request.Id, Request.Label, Request.Origin, Request.Priority, Request.Repeat, RepeatsPlayed, StartedAt);
}
