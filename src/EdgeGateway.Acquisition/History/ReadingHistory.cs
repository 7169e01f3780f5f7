using EdgeGateway.Acquisition.Internal;
using EdgeGateway.Core.Monitoring;
using EdgeGateway.Core.Readings;
using EdgeGateway.Core.Threading;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeGateway.Acquisition.History;

/// <summary>
/// The readings history (<c>storage.path/history.db</c>): every reading acquisition publishes is queued here and
/// written in batches, one transaction per <see cref="HistoryOptions.FlushInterval"/> (or sooner when
/// <see cref="HistoryOptions.FlushCount"/> are waiting), which spares the SD card; readings older than
/// <see cref="HistoryOptions.Retention"/> are pruned every <see cref="HistoryOptions.PruneInterval"/>.
/// <para>
/// After a restart, <see cref="LoadRecent"/> gives the rule engine the readings of the last window so a storm's
/// rainfall sums survive the restart; rain-total counters continue from the last count kept
/// (<see cref="LastCounter"/>). A history that cannot be opened or written is logged and retried; it never stops
/// readings from reaching the rules and the uplink.
/// </para>
/// </summary>
public sealed class ReadingHistory : IReadingRecorder, IDisposable
{
    /// <summary>Unwritten readings kept in memory while the file cannot be written; past it the oldest go.</summary>
    public const int MaxBacklog = 200_000;

    private readonly Lock _queueGate = new();
    private readonly Lock _dbGate = new();
    private readonly HistoryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly WakeSignal _flushRequested = new();
    private List<StoredReading> _pending = [];
    private HistoryDatabase? _db;
    private DateTimeOffset _nextPrune;
    private bool _disposed;
    private long _batches;

    public ReadingHistory(HistoryOptions options, TimeProvider time, ILogger<ReadingHistory>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _options = options;
        _time = time;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _nextPrune = time.GetUtcNow();
    }

    public string Path => _options.Path;

    /// <summary>The name this store reports its write faults under.</summary>
    public const string StoreName = "history";

    /// <summary>Where a history that cannot be written says so (and that it writes again); none when null.</summary>
    public StorageHealth? Storage { get; init; }

    /// <summary>Transactions written since start (one per batch).</summary>
    public long BatchesWritten => Interlocked.Read(ref _batches);

    /// <summary>Raised after each batch is committed, with its size.</summary>
    internal event Action<int>? BatchWritten;

    /// <summary>Readings queued and not yet written.</summary>
    public int Pending
    {
        get
        {
            lock (_queueGate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Readings in the file (opening it if needed); -1 when it cannot be opened.</summary>
    public long Count()
    {
        lock (_dbGate)
        {
            return Database() is { } db ? db.Count() : -1;
        }
    }

    /// <summary>Queues a reading for the next batch; never blocks on the disk.</summary>
    public void Record(Reading reading, double? raw = null)
    {
        bool full;
        lock (_queueGate)
        {
            _pending.Add(new StoredReading(reading, raw));
            full = _pending.Count == _options.FlushCount;
            if (_pending.Count > MaxBacklog)
            {
                var dropped = _pending.Count - MaxBacklog;
                _pending.RemoveRange(0, dropped);
                Log.HistoryBacklogDropped(_logger, MaxBacklog, dropped);
            }
        }

        if (full)
        {
            _flushRequested.Set();
        }
    }

    /// <summary>Writes every queued reading in one transaction. False when the file could not be written (they stay queued).</summary>
    public bool Flush()
    {
        List<StoredReading> batch;
        lock (_queueGate)
        {
            if (_pending.Count == 0)
            {
                return true;
            }

            batch = _pending;
            _pending = [];
        }

        lock (_dbGate)
        {
            try
            {
                if (Database() is { } db)
                {
                    db.Append(batch);
                    Storage?.Succeeded(StoreName);
                    Interlocked.Increment(ref _batches);
                    BatchWritten?.Invoke(batch.Count);
                    return true;
                }
            }
            catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
            {
                Log.HistoryWriteFailed(_logger, ex, _options.Path, batch.Count);
                Storage?.Failed(StoreName, ex.Message);
                CloseDatabase();
            }
        }

        // Not written: put the batch back ahead of what arrived meanwhile, for the next try.
        lock (_queueGate)
        {
            batch.AddRange(_pending);
            _pending = batch;
        }

        return false;
    }

    /// <summary>Deletes readings older than the retention. Returns how many went (0 when the file is unavailable).</summary>
    public int Prune()
    {
        var cutoff = _time.GetUtcNow() - _options.Retention;
        lock (_dbGate)
        {
            try
            {
                if (Database() is { } db)
                {
                    var count = db.Prune(cutoff);
                    Log.HistoryPruned(_logger, count, cutoff);
                    return count;
                }
            }
            catch (Exception ex) when (ex is SqliteException or IOException)
            {
                Log.HistoryWriteFailed(_logger, ex, _options.Path, 0);
                CloseDatabase();
            }
        }

        return 0;
    }

    /// <summary>
    /// The readings of the last <paramref name="window"/> per sensor, oldest first, from the file and from the
    /// queue not yet written: what the rule engine loads at startup to rebuild its windows. With
    /// <paramref name="sensors"/>, only theirs.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<Reading>> LoadRecent(TimeSpan window, IReadOnlyCollection<string>? sensors = null)
    {
        var since = _time.GetUtcNow() - window;
        Dictionary<string, List<Reading>> loaded;
        lock (_dbGate)
        {
            try
            {
                loaded = Database()?.Load(since, sensors) ?? new(StringComparer.Ordinal);
            }
            catch (SqliteException ex)
            {
                Log.HistoryWriteFailed(_logger, ex, _options.Path, 0);
                loaded = new(StringComparer.Ordinal);
            }
        }

        lock (_queueGate)
        {
            foreach (var item in _pending)
            {
                var r = item.Reading;
                if (r.Time < since || (sensors is not null && !sensors.Contains(r.SensorId)))
                {
                    continue;
                }

                if (!loaded.TryGetValue(r.SensorId, out var list))
                {
                    list = [];
                    loaded[r.SensorId] = list;
                }

                list.Add(r);
            }
        }

        return loaded.ToDictionary(p => p.Key, p => (IReadOnlyList<Reading>)p.Value, StringComparer.Ordinal);
    }

    /// <summary>The last raw count recorded for a rain-total sensor (queued or written), with its time.</summary>
    public (double Raw, DateTimeOffset Time)? LastCounter(string sensorId)
    {
        lock (_queueGate)
        {
            for (var i = _pending.Count - 1; i >= 0; i--)
            {
                if (_pending[i].Raw is { } raw && _pending[i].Reading.SensorId == sensorId)
                {
                    return (raw, _pending[i].Reading.Time);
                }
            }
        }

        lock (_dbGate)
        {
            try
            {
                return Database()?.LastRaw(sensorId);
            }
            catch (SqliteException ex)
            {
                Log.HistoryWriteFailed(_logger, ex, _options.Path, 0);
                return null;
            }
        }
    }

    /// <summary>How often a batch is written.</summary>
    public TimeSpan FlushInterval => _options.FlushInterval;

    /// <summary>The writer loop: flushes every interval or when a batch is full, prunes on schedule, flushes at the end.</summary>
    /// <param name="beat">Called once per turn (the host's watchdog).</param>
    public async Task RunAsync(CancellationToken cancellationToken, Action? beat = null)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            beat?.Invoke();
            await _flushRequested.WaitAsync(_options.FlushInterval, _time, cancellationToken).ConfigureAwait(false);
            Flush();
            if (_time.GetUtcNow() >= _nextPrune)
            {
                Prune();
                _nextPrune = _time.GetUtcNow() + _options.PruneInterval;
            }
        }

        Flush();
    }

    public void Dispose()
    {
        lock (_dbGate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        Flush();
        lock (_dbGate)
        {
            CloseDatabase();
        }
    }

    private HistoryDatabase? Database()
    {
        if (_db is not null)
        {
            return _db;
        }

        try
        {
            _db = HistoryDatabase.Open(_options.Path, _options.PageSize);
            Log.HistoryOpened(_logger, _options.Path, _db.Count(), _options.Retention);
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            Log.HistoryOpenFailed(_logger, ex, _options.Path);
            Storage?.Failed(StoreName, ex.Message);
        }

        return _db;
    }

    private void CloseDatabase()
    {
        _db?.Dispose();
        _db = null;
    }
}
