using System.Collections.Concurrent;
using System.Globalization;
using EdgeGateway.Acquisition.Internal;
using EdgeGateway.Core.Threading;
using EdgeGateway.Modbus;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Acquisition.Buses;

/// <summary>Counters of one bus, for status and tests.</summary>
public sealed record BusStatistics(long Requests, long Failures, long Writes, long PointsCoalesced, long PointsSkipped);

/// <summary>
/// Owns one Modbus bus (a serial line or a TCP link) and everything sent on it.
/// <list type="bullet">
/// <item>One transaction at a time: RS-485 is half duplex, and a second master request on the line while a slave
/// answers garbles both. The scheduler is the only user of its client.</item>
/// <item>Each point is read every <see cref="PollPoint.Period"/> on a fixed grid from the start, so a late read
/// (a slow neighbour) does not shift later ones.</item>
/// <item>Points of one slave and table that are due together and touch or overlap are read in one request, up to
/// 125 registers or 2000 bits. Points whose periods differ are coalesced whenever their grids meet. A coalesced
/// request refused with an exception response is split: its points are read alone from then on.</item>
/// <item><see cref="ModbusBusOptions.Gap"/> of silence follows every transaction, for slow devices.</item>
/// <item>A slave that fails <see cref="FailuresBeforeBackoff"/> transactions in a row (timeouts, bad frames) is
/// degraded: it is skipped, with a comm-fault reading for each of its points when due (no bus time spent), and
/// probed again after a backoff that doubles up to <see cref="SchedulerTuning.MaxBackoff"/>. A dead slave thus costs
/// the bus one timeout per backoff, never one per poll, and cannot starve the live ones. An exception response
/// proves the slave alive and never degrades it.</item>
/// <item>A transport that cannot be opened (serial port missing, connection refused) faults every point of the bus,
/// and is retried with the same backoff; nothing is thrown out of the scheduler.</item>
/// <item>Writes (<see cref="WriteAsync"/>) go before every waiting poll, and are sent even to a degraded slave.</item>
/// </list>
/// </summary>
public sealed class BusScheduler : IAsyncDisposable
{
    public const int MaxRegistersPerRequest = 125;
    public const int MaxBitsPerRequest = 2000;
    public const int FailuresBeforeBackoff = 2;

    /// <summary>The longest the loop sleeps in one go, so an idle bus still proves it turns.</summary>
    public static readonly TimeSpan MaxIdleWait = TimeSpan.FromSeconds(10);

    private readonly IModbusClient _client;
    private readonly TimeSpan _gap;
    private readonly SchedulerTuning _tuning;
    private readonly List<PollPoint> _points;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<(ModbusWrite Write, TaskCompletionSource Done)> _writes = new();
    private readonly WakeSignal _wake = new();
    private readonly Dictionary<byte, Health> _slaves = [];
    private readonly Health _bus = new(1);

    // One request at a time on a bus: every poll reads into this buffer, so a poll allocates no array.
    private readonly ushort[] _words = new ushort[MaxBitsPerRequest];
    private long _requests;
    private long _failures;
    private long _writesSent;
    private long _coalesced;
    private long _skipped;
    private readonly Lock _sleepGate = new();
    private readonly List<(long After, TaskCompletionSource Done)> _sleepWaiters = [];
    private long _sleeps;
    private volatile bool _stopRequested;
    private bool _disposed;

    internal BusScheduler(string id, IModbusClient client, TimeSpan gap, IEnumerable<PollPoint> points, TimeProvider time, ILogger logger, SchedulerTuning? tuning = null)
    {
        Id = id;
        _client = client;
        _gap = gap;
        _points = [.. points];
        _time = time;
        _logger = logger;
        _tuning = tuning ?? SchedulerTuning.Default;
        foreach (var p in _points)
        {
            if (!_slaves.ContainsKey(p.Slave))
            {
                _slaves[p.Slave] = new Health(FailuresBeforeBackoff);
            }
        }
    }

    public string Id { get; }

    public string Endpoint => _client.Endpoint;

    public BusStatistics Statistics => new(
        Interlocked.Read(ref _requests),
        Interlocked.Read(ref _failures),
        Interlocked.Read(ref _writesSent),
        Interlocked.Read(ref _coalesced),
        Interlocked.Read(ref _skipped));

    /// <summary>
    /// Sends <paramref name="write"/> before any waiting poll; completes when the slave has confirmed it. Throws the
    /// Modbus error (<see cref="ModbusTimeoutException"/>, <see cref="ModbusExceptionResponse"/>, ...) if it failed.
    /// </summary>
    public Task WriteAsync(ModbusWrite write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _writes.Enqueue((write, done));
        _wake.Set();
        return done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Polls until cancelled. Every point is due at once when this starts.</summary>
    /// <param name="beat">Called once per turn of the loop (the host's watchdog).</param>
    public async Task RunAsync(CancellationToken cancellationToken, Action? beat = null)
    {
        var start = _time.GetUtcNow();
        foreach (var p in _points)
        {
            p.Due = start;
        }

        try
        {
            // A stop request ends the loop between transactions, once the writes already queued are sent.
            while (!cancellationToken.IsCancellationRequested && !(_stopRequested && _writes.IsEmpty))
            {
                beat?.Invoke();
                await StepAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            FailPendingWrites(new OperationCanceledException("the bus scheduler stopped"));
        }
    }

    /// <summary>
    /// Asks <see cref="RunAsync"/> to return after the transaction in progress (and the writes already queued):
    /// a request is never cut off half way on the wire. The loop's task completes when it has.
    /// </summary>
    public void RequestStop()
    {
        _stopRequested = true;
        _wake.Set();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        FailPendingWrites(new ObjectDisposedException(nameof(BusScheduler)));
        await _client.DisposeAsync().ConfigureAwait(false);
    }

    private async Task StepAsync(CancellationToken cancellationToken)
    {
        if (_writes.TryDequeue(out var write))
        {
            await SendWriteAsync(write.Write, write.Done, cancellationToken).ConfigureAwait(false);
            await GapAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        var now = _time.GetUtcNow();
        var next = Earliest();
        if (next is null || next.Due > now)
        {
            var wait = next is null || next.Due - now > MaxIdleWait ? MaxIdleWait : next.Due - now;
            await WaitAsync(wait, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (_bus.IsResting(now))
        {
            Skip(now, p => p.Due <= now, _bus.Explain(now, $"bus {Id}"));
            return;
        }

        var slave = _slaves[next.Slave];
        if (slave.IsResting(now))
        {
            Skip(now, p => p.Slave == next.Slave && p.Due <= now, slave.Explain(now, $"slave {next.Slave}"));
            return;
        }

        await PollAsync(Gather(next, now), cancellationToken).ConfigureAwait(false);
        await GapAsync(cancellationToken).ConfigureAwait(false);
    }

    private PollPoint? Earliest()
    {
        PollPoint? first = null;
        foreach (var p in _points)
        {
            if (first is null || p.Due < first.Due)
            {
                first = p;
            }
        }

        return first;
    }

    /// <summary>The due points of <paramref name="first"/>'s slave and table that form one run with it.</summary>
    private List<PollPoint> Gather(PollPoint first, DateTimeOffset now)
    {
        var group = new List<PollPoint> { first };
        if (first.Alone)
        {
            return group;
        }

        var limit = first.Table is ModbusTable.Coil or ModbusTable.Discrete ? MaxBitsPerRequest : MaxRegistersPerRequest;
        var lo = (int)first.Address;
        var hi = first.End;
        var candidates = _points
            .Where(p => p != first && !p.Alone && p.Slave == first.Slave && p.Table == first.Table && p.Due <= now)
            .OrderBy(p => p.Address)
            .ToList();
        bool grew;
        do
        {
            grew = false;
            for (var i = 0; i < candidates.Count; i++)
            {
                var p = candidates[i];
                var newLo = Math.Min(lo, p.Address);
                var newHi = Math.Max(hi, p.End);
                if (p.Address <= hi && p.End >= lo && newHi - newLo <= limit)
                {
                    group.Add(p);
                    candidates.RemoveAt(i--);
                    (lo, hi) = (newLo, newHi);
                    grew = true;
                }
            }
        }
        while (grew);

        return group;
    }

    private async Task PollAsync(List<PollPoint> group, CancellationToken cancellationToken)
    {
        var first = group[0];
        var lo = group.Min(p => p.Address);
        var count = (ushort)(group.Max(p => p.End) - lo);
        var slave = _slaves[first.Slave];
        Interlocked.Increment(ref _requests);
        if (group.Count > 1)
        {
            Interlocked.Add(ref _coalesced, group.Count);
        }

        var words = _words;
        try
        {
            await _client.ReadAsync(first.Slave, first.Table, lo, words.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
        }
        catch (ModbusExceptionResponse ex) when (group.Count > 1)
        {
            // The slave is alive but refused the span: read each point on its own, now.
            slave.Succeeded();
            _bus.Succeeded();
            Log.BusSplitRequest(_logger, Id, first.Slave, lo, count, ex.Message);
            foreach (var p in group)
            {
                p.Alone = true;
            }

            return;
        }
        catch (Exception ex) when (ex is ModbusException or InvalidOperationException or ArgumentException or IOException)
        {
            Interlocked.Increment(ref _failures);
            var now = _time.GetUtcNow();
            var reason = Describe(ex, first.Slave);
            switch (ex)
            {
                case ModbusExceptionResponse:
                    slave.Succeeded();
                    _bus.Succeeded();
                    break;
                case ModbusConnectionException:
                    _bus.Failed(now, reason, _tuning);
                    Log.BusUnavailable(_logger, Id, ex.Message, _bus.Backoff);
                    break;
                case ModbusTimeoutException or ModbusFrameException:
                    _bus.Succeeded();
                    if (slave.Failed(now, reason, _tuning))
                    {
                        Log.SlaveDegraded(_logger, Id, first.Slave, reason, slave.Backoff);
                    }

                    break;
                default:
                    Log.BusRequestFailed(_logger, ex, Id, first.Slave);
                    break;
            }

            foreach (var p in group)
            {
                p.Sink.OnFault(now, reason);
                Advance(p, now);
            }

            return;
        }

        var taken = _time.GetUtcNow();
        if (slave.Succeeded())
        {
            Log.SlaveRecovered(_logger, Id, first.Slave);
        }

        _bus.Succeeded();
        foreach (var p in group)
        {
            p.Sink.OnRegisters(taken, words.AsSpan(p.Address - lo, p.Count));
            Advance(p, taken);
        }
    }

    private async Task SendWriteAsync(ModbusWrite write, TaskCompletionSource done, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _writesSent);
        try
        {
            await write.SendAsync(_client, cancellationToken).ConfigureAwait(false);
            _bus.Succeeded();
            if (_slaves.TryGetValue(write.Slave, out var slave))
            {
                slave.Succeeded();
            }

            done.TrySetResult();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            done.TrySetCanceled(cancellationToken);
            throw;
        }
        catch (Exception ex) when (ex is ModbusException or InvalidOperationException or ArgumentException or IOException)
        {
            Interlocked.Increment(ref _failures);
            Log.BusWriteFailed(_logger, Id, write.Slave, write.Address, ex.Message);
            done.TrySetException(ex);
        }
    }

    /// <summary>Reports the matching due points as faults without using the bus, and moves them on.</summary>
    private void Skip(DateTimeOffset now, Func<PollPoint, bool> which, string reason)
    {
        foreach (var p in _points)
        {
            if (which(p))
            {
                Interlocked.Increment(ref _skipped);
                p.Sink.OnFault(now, reason);
                Advance(p, now);
            }
        }
    }

    // Fixed grid: the next read is one period after the scheduled one; slots already missed are skipped, not burst.
    private static void Advance(PollPoint p, DateTimeOffset now)
    {
        p.Due += p.Period;
        if (p.Due <= now)
        {
            var missed = (long)((now - p.Due) / p.Period) + 1;
            p.Due += p.Period * missed;
        }
    }

    private async Task WaitAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        var woken = _wake.WaitAsync(delay, _time, cancellationToken);
        Slept();
        await woken.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    private async Task GapAsync(CancellationToken cancellationToken)
    {
        if (_gap > TimeSpan.Zero)
        {
            var gap = Task.Delay(_gap, _time, cancellationToken);
            Slept();
            await gap.ConfigureAwait(false);
        }
    }

    /// <summary>Times the loop has gone to sleep (waiting for a due point, a write or the gap).</summary>
    internal long Sleeps => Interlocked.Read(ref _sleeps);

    /// <summary>Completes when the loop is asleep for the (<paramref name="after"/>+1)th time: lets a test move a fake clock safely.</summary>
    internal Task WhenAsleepAsync(long after)
    {
        lock (_sleepGate)
        {
            if (_sleeps > after)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _sleepWaiters.Add((after, done));
            return done.Task;
        }
    }

    private void Slept()
    {
        lock (_sleepGate)
        {
            var n = Interlocked.Increment(ref _sleeps);
            for (var i = _sleepWaiters.Count - 1; i >= 0; i--)
            {
                if (n > _sleepWaiters[i].After)
                {
                    _sleepWaiters[i].Done.TrySetResult();
                    _sleepWaiters.RemoveAt(i);
                }
            }
        }
    }

    private string Describe(Exception ex, byte slave) => ex switch
    {
        ModbusConnectionException => $"bus {Id}: {ex.Message}",
        ModbusExceptionResponse => $"slave {slave} on bus {Id} refused the read: {ex.Message}",
        ModbusTimeoutException => $"slave {slave} on bus {Id} not answering: {ex.Message}",
        _ => $"slave {slave} on bus {Id}: {ex.Message}",
    };

    private void FailPendingWrites(Exception reason)
    {
        while (_writes.TryDequeue(out var w))
        {
            w.Done.TrySetException(reason);
        }
    }

    /// <summary>The failure count and backoff of a slave or of the bus's transport.</summary>
    private sealed class Health(int threshold)
    {
        private int _failures;
        private DateTimeOffset _restUntil = DateTimeOffset.MinValue;
        private string _reason = "";

        public TimeSpan Backoff { get; private set; }

        public bool IsResting(DateTimeOffset now) => _restUntil > now;

        public string Explain(DateTimeOffset now, string what) =>
            string.Create(CultureInfo.InvariantCulture, $"{_reason}; {what} skipped, next try in {(_restUntil - now).TotalSeconds:0.#} s");

        /// <summary>Counts a failure; true when it starts (or lengthens) a rest.</summary>
        public bool Failed(DateTimeOffset now, string reason, SchedulerTuning tuning)
        {
            _reason = reason;
            _failures++;
            if (_failures < threshold)
            {
                return false;
            }

            Backoff = Backoff == TimeSpan.Zero ? tuning.InitialBackoff : TimeSpan.FromTicks(Math.Min(Backoff.Ticks * 2, tuning.MaxBackoff.Ticks));
            _restUntil = now + Backoff;
            return true;
        }

        /// <summary>Clears the failures; true when the part had been resting.</summary>
        public bool Succeeded()
        {
            var wasDegraded = Backoff > TimeSpan.Zero;
            _failures = 0;
            Backoff = TimeSpan.Zero;
            _restUntil = DateTimeOffset.MinValue;
            return wasDegraded;
        }
    }
}

/// <summary>How long a dead slave or a lost transport is left alone before the next try.</summary>
/// <param name="InitialBackoff">The first rest (then doubled at each failed probe).</param>
/// <param name="MaxBackoff">The longest rest: a slave brought back is found again within this time.</param>
public sealed record SchedulerTuning(TimeSpan InitialBackoff, TimeSpan MaxBackoff)
{
    public static readonly SchedulerTuning Default = new(TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5));
}
