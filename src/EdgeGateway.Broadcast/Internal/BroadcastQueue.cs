namespace EdgeGateway.Broadcast.Internal;

/// <summary>
/// The broadcasts waiting to play, highest priority first and in arrival order within a priority, and the
/// signal that wakes the worker loop when one is added. Guarded by the controller's lock, like
/// <see cref="ObligationBook"/>: whether a request is queued and what plays next are decided together with
/// the broadcast playing.
/// </summary>
internal sealed class BroadcastQueue
{
    private readonly List<BroadcastEntry> _entries = [];
    private TaskCompletionSource _signal = NewSignal();

    public int Count => _entries.Count;

    /// <summary>The head is a broadcast that sounds (a silent self-test never joins a session).</summary>
    public bool HasPlayableHead => _entries.Count > 0 && !_entries[0].Request.Silent;

    public bool HeadIsSilent => _entries.Count > 0 && _entries[0].Request.Silent;

    /// <summary>Completes when something is added after this was read.</summary>
    public Task Added => _signal.Task;

    public bool Contains(string key) => _entries.Exists(e => e.Request.Key == key);

    /// <summary>Queues <paramref name="entry"/> after everything that ranks as high or higher, wakes the loop; returns its place.</summary>
    public int Add(BroadcastEntry entry)
    {
        var index = _entries.FindIndex(e => e.Request.Priority < entry.Request.Priority);
        index = index < 0 ? _entries.Count : index;
        _entries.Insert(index, entry);
        var signal = _signal;
        _signal = NewSignal();
        signal.TrySetResult();
        return index;
    }

    public BroadcastEntry TakeHead()
    {
        var entry = _entries[0];
        _entries.RemoveAt(0);
        return entry;
    }

    public int RemoveAll(Predicate<BroadcastEntry> match) => _entries.RemoveAll(match);

    /// <summary>Empties the queue; returns what it held.</summary>
    public IReadOnlyList<BroadcastEntry> Clear()
    {
        BroadcastEntry[] dropped = [.. _entries];
        _entries.Clear();
        return dropped;
    }

    public BroadcastItem[] Items() => [.. _entries.Select(e => e.ToItem())];

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
