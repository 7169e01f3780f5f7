using EdgeGateway.Core.Alerting;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Broadcast.Internal;

/// <summary>
/// Keeps the warning obligation beside the <see cref="BroadcastController"/>: puts in force what a level change owes,
/// brings back what the store held at start, and settles each attempt's end (completed or the siren: discharged;
/// preempted: queued again with the repeats not yet finished; failed: retried after a back-off; shutdown: still
/// owed, played after the restart). <paramref name="changed"/> says the obligation changed by itself.
/// </summary>
internal sealed class WarningDuty(BroadcastDesk desk, TimeProvider time, ILogger logger, Action changed)
{
    private readonly BroadcastDesk _desk = desk;
    private readonly TimeProvider _time = time;
    private readonly ILogger _logger = logger;

    /// <summary>The worker loop's stopping token: a retry waiting for it ends (the obligation stays owed).</summary>
    public CancellationToken Stopping { get; set; }

    /// <summary>Puts <paramref name="next"/> in force, owed for a change to <paramref name="toLevel"/>; true when the obligation changed.</summary>
    public bool Owe(WarningObligation? next, string toLevel)
    {
        WarningObligation? previous;
        lock (_desk.Gate)
        {
            previous = _desk.Owed.Current;
            if (!_desk.Owed.Set(next))
            {
                return false;
            }
        }

        if (previous is not null)
        {
            Log.ObligationDischarged(_logger, previous.Key, "the station level changed to " + toLevel);
        }

        return true;
    }

    /// <summary>At start: what the store held, with the station level restored beside it; an obligation still owed is queued again.</summary>
    public void Restore(WarningObligation? owed, string stationLevel)
    {
        if (owed is null)
        {
            return;
        }

        if (!owed.BelongsTo(stationLevel))
        {
            // Saved in one transaction with the level, so only a changed configuration gets here.
            Log.ObligationDropped(_logger, owed.Key, stationLevel);
            changed();
            return;
        }

        lock (_desk.Gate)
        {
            _desk.Owed.Set(owed);
        }

        Log.ObligationResumed(_logger, owed.Key, "the process ended before it completed", owed.Repeat);
        var request = new BroadcastRequest
        {
            Message = owed.Message,
            Repeat = Math.Clamp(owed.Repeat, 1, BroadcastRequest.MaxRepeat),
            Origin = BroadcastOrigin.Automatic,
            Rank = owed.Rank,
            Key = owed.Key,
        };
        _desk.Enqueue(request, resumed: true);
    }

    /// <summary>What an attempt's end does to the obligation it played for.</summary>
    public void Settle(BroadcastEntry entry, BroadcastOutcome outcome)
    {
        var request = entry.Request;
        WarningObligation owed;
        TimeSpan? retry = null;
        lock (_desk.Gate)
        {
            if (_desk.Owed.Current is not { } current || !_desk.Owed.Owes(request))
            {
                return;
            }

            owed = current;
            switch (outcome)
            {
                case BroadcastOutcome.Completed or BroadcastOutcome.Fallback:
                    _desk.Owed.Set(null);
                    break;
                case BroadcastOutcome.Preempted when !_desk.Queue.Contains(request.Key!):
                    // From the start of the message, with the repeats not yet finished; after whatever outranks it.
                    var rest = Math.Max(1, request.Repeat - entry.RepeatsPlayed);
                    _desk.Queue.Add(new BroadcastEntry(request with { Repeat = rest }, resumed: true));
                    Log.ObligationResumed(_logger, owed.Key, "preempted", rest);
                    return;
                case BroadcastOutcome.Failed:
                    retry = _desk.Owed.Failed();
                    break;
                default:
                    // Shutdown: still owed, saved, and played after the restart.
                    return;
            }
        }

        if (retry is { } delay)
        {
            Log.ObligationRetry(_logger, owed.Key, delay);
            _ = RetryAsync(owed, request, delay);
            return;
        }

        Log.ObligationDischarged(_logger, owed.Key, outcome == BroadcastOutcome.Completed ? "completed" : "the siren stood in for it");
        changed();
    }

    private async Task RetryAsync(WarningObligation owed, BroadcastRequest request, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _time, Stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return; // shutting down: it stays owed and plays after the restart
        }

        lock (_desk.Gate)
        {
            if (!ReferenceEquals(_desk.Owed.Current, owed))
            {
                return; // the level changed or an operator stopped it meanwhile
            }
        }

        Log.ObligationResumed(_logger, owed.Key, "retry after a failure", request.Repeat);
        _desk.Enqueue(request, resumed: true);
    }
}
