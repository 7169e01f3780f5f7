using Microsoft.Extensions.Logging;

namespace EdgeGateway.Broadcast.Internal;

/// <summary>
/// What the <see cref="BroadcastController"/> and its <see cref="SessionRunner"/> share: under one lock (<see cref="Gate"/>)
/// the queue, the broadcast playing, the session's cancellation, the phase, the obligation, the last self-test and the
/// messages that cannot be played; and, swapped whole by a reload, the options and the message library in force.
/// </summary>
internal sealed class BroadcastDesk(BroadcastOptions options, MessageLibrary library, TimeProvider time, ILogger logger)
{
    private volatile BroadcastOptions _options = options;
    private volatile MessageLibrary _library = library;

    public Lock Gate { get; } = new();

    public BroadcastQueue Queue { get; } = new();

    public ObligationBook Owed { get; } = new();

    /// <summary>The options in force; a reload changes the next broadcast, not the one playing.</summary>
    public BroadcastOptions Options
    {
        get => _options;
        set => _options = value;
    }

    public MessageLibrary Library
    {
        get => _library;
        set => _library = value;
    }

    // Under Gate.
    public BroadcastEntry? Current { get; set; }

    public CancellationTokenSource? Session { get; set; }

    public BroadcastPhase Phase { get; set; }

    public SelfTestReport? LastSelfTest { get; set; }

    public IReadOnlyList<string> Problems { get; set; } = [];

    public void SetPhase(BroadcastPhase phase)
    {
        lock (Gate)
        {
            Phase = phase;
        }
    }

    /// <summary>Which messages cannot be played, for status.</summary>
    public void SetProblems(IReadOnlyList<string> unplayable)
    {
        lock (Gate)
        {
            Problems = unplayable;
        }
    }

    public bool HasPlayableHead()
    {
        lock (Gate)
        {
            return Queue.HasPlayableHead;
        }
    }

    public bool IsOwed(BroadcastEntry entry)
    {
        lock (Gate)
        {
            return Owed.Owes(entry.Request);
        }
    }

    /// <summary>Takes the head of the queue as the broadcast playing, cancelled with the session; null when none may start now.</summary>
    public BroadcastEntry? TryTakeNext(bool allowSilentTest)
    {
        lock (Gate)
        {
            if (Queue.Count == 0 || (Queue.HeadIsSilent && !allowSilentTest) || Session is null)
            {
                return null;
            }

            var entry = Queue.TakeHead();
            entry.Cancellation.Dispose();
            entry.Cancellation = CancellationTokenSource.CreateLinkedTokenSource(Session.Token);
            entry.StartedAt = time.GetUtcNow();
            Current = entry;
            return entry;
        }
    }

    /// <summary>Queues a request (preempting the one playing if it ranks higher); a key already playing or waiting is ignored.</summary>
    public EnqueueResult Enqueue(BroadcastRequest request, bool resumed)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(request));
        }

        CancellationTokenSource? preempt = null;
        EnqueueResult result;
        lock (Gate)
        {
            if (request.Key is { } key && (Current?.Request.Key == key || Queue.Contains(key)))
            {
                Log.BroadcastIgnored(logger, request.Label, key);
                return new EnqueueResult(request.Id, false, false, -1, "already playing or queued");
            }

            var index = Queue.Add(new BroadcastEntry(request, resumed));
            if (Current is { } current && request.Priority > current.Request.Priority && current.CancelReason is null)
            {
                current.CancelReason = BroadcastOutcome.Preempted;
                preempt = current.Cancellation;
            }

            result = new EnqueueResult(request.Id, true, preempt is not null, index);
        }

        // Cancel outside the lock: continuations may run inline and take it.
        Cancel(preempt);
        return result;
    }

    /// <summary>Removes waiting automatic level broadcasts and ends the playing one (the station is back to none).</summary>
    public bool DropLevelBroadcasts()
    {
        CancellationTokenSource? cancel = null;
        bool any;
        lock (Gate)
        {
            any = Queue.RemoveAll(e => LevelPolicy.IsLevelBroadcast(e.Request)) > 0;
            if (Current is { CancelReason: null } current && LevelPolicy.IsLevelBroadcast(current.Request))
            {
                current.CancelReason = BroadcastOutcome.Superseded;
                cancel = current.Cancellation;
                any = true;
            }
        }

        Cancel(cancel);
        return any;
    }

    public static void Cancel(CancellationTokenSource? source)
    {
        try
        {
            source?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The broadcast ended on its own meanwhile.
        }
    }
}
