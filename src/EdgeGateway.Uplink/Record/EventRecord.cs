using System.Text;
using EdgeGateway.Core.Monitoring;
using EdgeGateway.Storage;
using EdgeGateway.Uplink.Internal;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Uplink.Record;

/// <summary>One entry of the station's own record: what it is, when, and the MQTT payload the hub was sent.</summary>
public sealed record RecordedEvent(DateTimeOffset Time, string Type, string Payload);

/// <summary>
/// The station's own record (<c>storage.path/events.db</c>) of every level transition and event,
/// each kept as its exact MQTT payload (with its seq and id, so it can be matched with what the hub holds)
/// for <see cref="Retention"/>. Written as the message enters the outbox, so the record is complete while the
/// broker is unreachable; a station without an MQTT uplink writes it through <see cref="StandaloneRecord"/>. A write the disk refuses is logged once and reported as a storage fault; the
/// station goes on, and only the record misses that entry.
/// </summary>
/// <remarks>
/// Schema: <c>events(time, type, payload)</c>, rowid in the order written, time in Unix milliseconds.
/// The file is opened like the outbox (exclusive locking, so it stays readable on a full disk): only the
/// service reads it, and the CLI asks the service through the control socket.
/// </remarks>
public sealed class EventRecord : IDisposable
{
    public const string FileName = "events.db";

    /// <summary>The name write faults are reported under (storage events' <c>source</c>).</summary>
    public const string StoreName = "events";

    /// <summary>The type a level transition is recorded under (its topic: events carry their own type).</summary>
    public const string AlertType = "alert";

    /// <summary>How long entries are kept.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(30);

    private static readonly TimeSpan PruneInterval = TimeSpan.FromHours(1);

    private readonly Lock _lock = new();
    private readonly SqliteConnection _db;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _lastPrune;
    private bool _failing;
    private bool _disposed;

    public EventRecord(string path, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _logger = logger;
        _db = Sqlite.OpenWal(path);
        try
        {
            // A lost last entry at a power cut costs less than an fsync per event on the SD card: the outbox
            // already holds every event durably until the hub has it.
            SqliteFile.Synchronous(_db, full: false);
            Sqlite.Exec(_db, """
                CREATE TABLE IF NOT EXISTS events(time INTEGER NOT NULL, type TEXT NOT NULL, payload TEXT NOT NULL);
                CREATE INDEX IF NOT EXISTS events_time ON events(time);
                """);
            Prune();
        }
        catch
        {
            _db.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens the record in <paramref name="storagePath"/> with its write faults reported to the storage health
    /// <paramref name="storage"/> gives at the time (none when null); null, logged, when it cannot be opened:
    /// the record is for the technician, and nothing else of the station depends on it.
    /// </summary>
    public static EventRecord? TryOpen(string storagePath, TimeProvider time, ILogger logger, Func<StorageHealth?> storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var path = Path.Combine(storagePath, FileName);
        EventRecord record;
        try
        {
            record = new EventRecord(path, time, logger);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SqliteException)
        {
            Log.EventRecordOpenFailed(logger, e, path);
            return null;
        }

        record.StorageChanged += fault =>
        {
            if (fault is null)
            {
                storage()?.Succeeded(StoreName);
            }
            else
            {
                storage()?.Failed(StoreName, fault);
            }
        };
        return record;
    }

    /// <summary>The highest <c>seq</c> among the entries kept (0 when none), where a record that numbers its own entries goes on from.</summary>
    public long LastSeq()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT COALESCE(MAX(json_extract(payload, '$.seq')), 0) FROM events";
            return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Raised outside any lock when writes start failing (the error) and when they first work again (null).</summary>
    public event Action<string?>? StorageChanged;

    /// <summary>Adds one entry; never throws (a refused write is logged once per fault).</summary>
    public void Add(DateTimeOffset time, string type, byte[] payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        string? fault = null;
        bool recovered, started;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            try
            {
                using var cmd = _db.CreateCommand();
                cmd.CommandText = "INSERT INTO events(time, type, payload) VALUES ($t, $type, $p)";
                cmd.Parameters.AddWithValue("$t", time.ToUnixTimeMilliseconds());
                cmd.Parameters.AddWithValue("$type", type);
                cmd.Parameters.AddWithValue("$p", Encoding.UTF8.GetString(payload));
                cmd.ExecuteNonQuery();
                if (_time.GetElapsedTime(_lastPrune) >= PruneInterval)
                {
                    Prune();
                }
            }
            catch (SqliteException e)
            {
                fault = e.Message;
                if (!_failing)
                {
                    Log.EventRecordWriteFailed(_logger, e);
                }
            }

            recovered = fault is null && _failing;
            started = fault is not null && !_failing;
            _failing = fault is not null;
        }

        // Reported outside the lock (a storage fault is itself an event, recorded through here), once when
        // the fault starts and once when it ends: a full disk must not turn every event into a fault event.
        if (started)
        {
            StorageChanged?.Invoke(fault);
        }
        else if (recovered)
        {
            Log.EventRecordWritesResumed(_logger);
            StorageChanged?.Invoke(null);
        }
    }

    /// <summary>
    /// The entries at or after <paramref name="since"/>, oldest first; of <paramref name="types"/> only when
    /// given. At most the newest <paramref name="limit"/>; <c>Truncated</c> says older ones were left out.
    /// </summary>
    public (IReadOnlyList<RecordedEvent> Events, bool Truncated) Read(DateTimeOffset since, IReadOnlyCollection<string>? types, int limit)
    {
        var list = new List<RecordedEvent>();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var cmd = _db.CreateCommand();
            var filter = new StringBuilder("time >= $since");
            cmd.Parameters.AddWithValue("$since", since.ToUnixTimeMilliseconds());
            if (types is { Count: > 0 })
            {
                filter.Append(" AND type IN (");
                var i = 0;
                foreach (var type in types)
                {
                    filter.Append(i == 0 ? "" : ", ").Append("$type").Append(i);
                    cmd.Parameters.AddWithValue("$type" + i, type);
                    i++;
                }

                filter.Append(')');
            }

            cmd.CommandText = $"SELECT time, type, payload FROM events WHERE {filter} ORDER BY time DESC, rowid DESC LIMIT $limit";
            cmd.Parameters.AddWithValue("$limit", limit + 1);
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                list.Add(new RecordedEvent(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)), reader.GetString(1), reader.GetString(2)));
            }
        }

        var truncated = list.Count > limit;
        if (truncated)
        {
            list.RemoveAt(list.Count - 1);
        }

        list.Reverse();
        return (list, truncated);
    }

    internal object? ExecForTests(string sql)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = sql;
            return cmd.ExecuteScalar();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _db.Dispose();
        }
    }

    private void Prune()
    {
        _lastPrune = _time.GetTimestamp();
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "DELETE FROM events WHERE time < $cutoff";
        cmd.Parameters.AddWithValue("$cutoff", (_time.GetUtcNow() - Retention).ToUnixTimeMilliseconds());
        cmd.ExecuteNonQuery();
    }
}
