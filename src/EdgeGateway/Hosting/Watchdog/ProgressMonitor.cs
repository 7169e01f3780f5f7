namespace EdgeGateway.Hosting.Watchdog;

/// <summary>
/// Where the station's long-running loops (bus schedulers, rule engine, broadcaster, uplink) prove that
/// they are still turning. Each loop registers a named heartbeat with the longest silence it may keep
/// and beats once per turn, including turns where it had nothing to do; the systemd watchdog is fed
/// only while no loop has been silent for longer than it may.
/// </summary>
/// <remarks>
/// Silence is measured on the monotonic clock (<see cref="TimeProvider.GetTimestamp"/>): a station
/// without an RTC boots in 1970 and jumps decades when NTP syncs, which must not look like a hang.
/// </remarks>
public sealed class ProgressMonitor
{
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LoopHeartbeat> _loops = new(StringComparer.Ordinal);

    public ProgressMonitor(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _time = timeProvider;
    }

    /// <summary>
    /// Registers a loop, counted as having made progress now. Dispose the heartbeat when the loop ends
    /// on purpose (shutdown, a bus removed by a reload); a loop that dies without disposing it is a hang.
    /// </summary>
    /// <param name="name">Unique among registered loops, e.g. <c>bus:rs485</c> or <c>rules</c>.</param>
    /// <param name="maxSilence">How long the loop may go without a beat before it counts as hung.</param>
    public LoopHeartbeat Register(string name, TimeSpan maxSilence)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(maxSilence, TimeSpan.Zero);
        var heartbeat = new LoopHeartbeat(this, name, maxSilence, _time.GetTimestamp());
        lock (_gate)
        {
            if (!_loops.TryAdd(name, heartbeat))
            {
                throw new InvalidOperationException($"A loop named '{name}' is already registered.");
            }
        }

        return heartbeat;
    }

    /// <summary>Every registered loop with its current silence, ordered by name.</summary>
    public IReadOnlyList<LoopProgress> Snapshot()
    {
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            return [.. _loops.Values
                .Select(h => new LoopProgress(h.Name, _time.GetElapsedTime(h.LastBeat, now), h.MaxSilence))
                .OrderBy(p => p.Name, StringComparer.Ordinal)];
        }
    }

    /// <summary>The loops silent for longer than they may be; empty while the station is healthy.</summary>
    public IReadOnlyList<LoopProgress> FindStalled() => [.. Snapshot().Where(p => p.IsStalled)];

    internal long Now() => _time.GetTimestamp();

    internal void Remove(LoopHeartbeat heartbeat)
    {
        lock (_gate)
        {
            if (_loops.TryGetValue(heartbeat.Name, out var current) && ReferenceEquals(current, heartbeat))
            {
                _loops.Remove(heartbeat.Name);
            }
        }
    }
}

/// <summary>One loop's handle: <see cref="Beat"/> at every turn, dispose when the loop ends on purpose.</summary>
public sealed class LoopHeartbeat : IDisposable
{
    private readonly ProgressMonitor _monitor;
    private long _lastBeat;

    internal LoopHeartbeat(ProgressMonitor monitor, string name, TimeSpan maxSilence, long now)
    {
        _monitor = monitor;
        Name = name;
        MaxSilence = maxSilence;
        _lastBeat = now;
    }

    public string Name { get; }

    public TimeSpan MaxSilence { get; }

    internal long LastBeat => Volatile.Read(ref _lastBeat);

    /// <summary>Records that the loop has made progress now. Cheap enough to call at every turn.</summary>
    public void Beat() => Volatile.Write(ref _lastBeat, _monitor.Now());

    public void Dispose() => _monitor.Remove(this);
}

/// <summary>A loop's state at one instant.</summary>
public readonly record struct LoopProgress(string Name, TimeSpan Silence, TimeSpan MaxSilence)
{
    public bool IsStalled => Silence > MaxSilence;
}
