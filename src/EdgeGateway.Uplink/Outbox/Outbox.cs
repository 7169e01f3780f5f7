using System.Globalization;
using EdgeGateway.Uplink.Internal;
using Microsoft.Data.Sqlite;

namespace EdgeGateway.Uplink.Outbox;

/// <summary>
/// The durable outbox: every uplinked message is written here before it is published and deleted only
/// after the broker acknowledged it (PUBACK).
/// </summary>
/// <remarks>
/// <para>Storage is one SQLite file in WAL mode with a table per lane, keyed by seq (the rowid, so no
/// extra index is written). Urgent messages commit with <c>synchronous=FULL</c> the moment they are
/// created, taking any waiting telemetry with them in the same transaction. Telemetry waits in memory
/// for up to <see cref="OutboxTuning.TelemetryFlushInterval"/> or <see cref="OutboxTuning.TelemetryFlushCount"/>
/// messages and is then committed in one FULL transaction; only written rows are ever published, so
/// every seq the hub has seen is on disk. Acknowledged rows are deleted in batches by the caller
/// (<see cref="DeleteUpTo"/>) with <c>synchronous=NORMAL</c>: a delete lost to a power cut only means a
/// duplicate the hub discards by id.</para>
/// <para>Seq: the highest seq ever written is the maximum of both tables and of <c>kv.seq</c>, which each
/// delete updates in the same transaction, so a restart continues above anything ever stored. Telemetry
/// still in memory at a power cut (at most the flush interval) is lost and its seqs reissued; they were
/// never published.</para>
/// </remarks>
internal sealed class Outbox : IDisposable
{
    private static readonly string[] Tables = ["urgent", "telemetry"];

    private readonly Lock _lock = new();
    private readonly SqliteConnection _db;
    private long _queueLimit;
    private readonly OutboxTuning _tuning;
    private readonly TimeProvider _time;
    private readonly List<OutboxMessage> _pending = [];
    private readonly long[] _count = new long[2];
    private readonly long[] _bytes = new long[2];
    private long _pendingBytes;
    private long _lastSeq;
    private long _pendingSince;
    private bool _disposed;

    /// <summary>Takes a new cap (a reload); a lower one is enforced at the next write.</summary>
    public void SetQueueLimit(long queueLimit)
    {
        lock (_lock)
        {
            _queueLimit = queueLimit;
        }
    }

    public Outbox(string path, long queueLimit, OutboxTuning tuning, TimeProvider time)
    {
        _queueLimit = queueLimit;
        _tuning = tuning;
        _time = time;
        Path = path;
        _db = Sqlite.OpenWal(path);
        Exec("""
            CREATE TABLE IF NOT EXISTS urgent(seq INTEGER PRIMARY KEY, topic TEXT NOT NULL, payload BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS telemetry(seq INTEGER PRIMARY KEY, topic TEXT NOT NULL, payload BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS kv(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
            """);
        _lastSeq = Math.Max(ScalarLong("SELECT COALESCE(MAX(seq),0) FROM urgent"),
            ScalarLong("SELECT COALESCE(MAX(seq),0) FROM telemetry"));
        if (long.TryParse(Get("seq"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var kvSeq))
        {
            _lastSeq = Math.Max(_lastSeq, kvSeq);
        }

        for (var lane = 0; lane < 2; lane++)
        {
            _count[lane] = ScalarLong($"SELECT COUNT(*) FROM {Tables[lane]}");
            _bytes[lane] = ScalarLong($"SELECT COALESCE(SUM(length(payload)+length(topic)),0) FROM {Tables[lane]}");
        }
    }

    public string Path { get; }

    /// <summary>Raised (outside the lock) when rows become publishable.</summary>
    public event Action? Written;

    /// <summary>Raised (outside the lock) when telemetry was dropped to honour the queue limit.</summary>
    public event Action<TelemetryDrop>? TelemetryDropped;

    /// <summary>The highest seq given so far.</summary>
    public long LastSeq
    {
        get
        {
            lock (_lock)
            {
                return _lastSeq;
            }
        }
    }

    /// <summary>Messages waiting for a PUBACK (stored or about to be).</summary>
    public long Count
    {
        get
        {
            lock (_lock)
            {
                return _count[0] + _count[1] + _pending.Count;
            }
        }
    }

    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes[0] + _bytes[1] + _pendingBytes;
            }
        }
    }

    public long CountOf(Lane lane)
    {
        lock (_lock)
        {
            return _count[(int)lane] + (lane == Lane.Telemetry ? _pending.Count : 0);
        }
    }

    /// <summary>
    /// Gives the next seq to <paramref name="build"/>, which returns the payload carrying it, and stores the
    /// message: urgent ones durably before returning, telemetry within the flush interval.
    /// </summary>
    public OutboxMessage Add(Lane lane, string topic, Func<long, byte[]> build)
    {
        OutboxMessage message;
        bool written;
        TelemetryDrop? drop = null;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var seq = _lastSeq + 1;
            message = new OutboxMessage(seq, lane, topic, build(seq));
            if (lane == Lane.Urgent)
            {
                WriteLocked(message);
                written = true;
            }
            else
            {
                if (_pending.Count == 0)
                {
                    _pendingSince = _time.GetTimestamp();
                }

                _pending.Add(message);
                _pendingBytes += message.Size;
                written = false;
                if (_pending.Count >= _tuning.TelemetryFlushCount)
                {
                    WriteLocked(null);
                    written = true;
                }

                if (Bytes > _queueLimit)
                {
                    drop = DropLocked();
                    written = true;
                }
            }

            _lastSeq = seq;
        }

        if (drop is not null)
        {
            TelemetryDropped?.Invoke(drop);
        }

        if (written)
        {
            Written?.Invoke();
        }

        return message;
    }

    /// <summary>Writes waiting telemetry if the oldest has waited the flush interval (or always, with <paramref name="force"/>).</summary>
    public bool Flush(bool force = false)
    {
        lock (_lock)
        {
            if (_disposed || _pending.Count == 0
                || (!force && _time.GetElapsedTime(_pendingSince) < _tuning.TelemetryFlushInterval))
            {
                return false;
            }

            WriteLocked(null);
        }

        Written?.Invoke();
        return true;
    }

    /// <summary>Stored messages of <paramref name="lane"/> with seq above <paramref name="afterSeq"/>, in seq order.</summary>
    public IReadOnlyList<OutboxMessage> Read(Lane lane, long afterSeq, int max)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var cmd = _db.CreateCommand();
            cmd.CommandText = $"SELECT seq, topic, payload FROM {Tables[(int)lane]} WHERE seq > $after ORDER BY seq LIMIT $max";
            cmd.Parameters.AddWithValue("$after", afterSeq);
            cmd.Parameters.AddWithValue("$max", max);
            using var reader = cmd.ExecuteReader();
            var list = new List<OutboxMessage>();
            while (reader.Read())
            {
                list.Add(new OutboxMessage(reader.GetInt64(0), lane, reader.GetString(1), (byte[])reader.GetValue(2)));
            }

            return list;
        }
    }

    /// <summary>Deletes the rows of <paramref name="lane"/> up to <paramref name="seq"/> (all acknowledged); returns how many.</summary>
    public long DeleteUpTo(Lane lane, long seq)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return 0;
            }

            var table = Tables[(int)lane];
            using var tx = BeginLocked(full: false);
            long rows, bytes, max;
            using (var sum = _db.CreateCommand())
            {
                sum.Transaction = tx;
                sum.CommandText = $"SELECT COUNT(*), COALESCE(SUM(length(payload)+length(topic)),0), COALESCE(MAX(seq),0) FROM {table} WHERE seq <= $s";
                sum.Parameters.AddWithValue("$s", seq);
                using var r = sum.ExecuteReader();
                r.Read();
                rows = r.GetInt64(0);
                bytes = r.GetInt64(1);
                max = r.GetInt64(2);
            }

            if (rows == 0)
            {
                tx.Rollback();
                return 0;
            }

            using (var del = _db.CreateCommand())
            {
                del.Transaction = tx;
                del.CommandText = $"DELETE FROM {table} WHERE seq <= $s";
                del.Parameters.AddWithValue("$s", seq);
                del.ExecuteNonQuery();
            }

            RememberSeqLocked(tx, max);
            tx.Commit();
            _count[(int)lane] -= rows;
            _bytes[(int)lane] -= bytes;
            return rows;
        }
    }

    public string? Get(string key)
    {
        lock (_lock)
        {
            return GetLocked(null, key);
        }
    }

    /// <summary>Stores a small durable value (CAP references and the like) with a FULL commit.</summary>
    public void Set(string key, string value)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var tx = BeginLocked(full: true);
            SetLocked(tx, key, value);
            tx.Commit();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            try
            {
                if (_pending.Count > 0)
                {
                    WriteLocked(null);
                }
            }
            finally
            {
                _disposed = true;
                _db.Dispose();
            }
        }
    }

    private void WriteLocked(OutboxMessage? urgent)
    {
        using var tx = BeginLocked(full: true);
        if (_pending.Count > 0)
        {
            Insert(tx, "telemetry", _pending);
        }

        if (urgent is not null)
        {
            Insert(tx, "urgent", [urgent]);
        }

        tx.Commit();
        _count[1] += _pending.Count;
        _bytes[1] += _pendingBytes;
        _pending.Clear();
        _pendingBytes = 0;
        if (urgent is not null)
        {
            _count[0]++;
            _bytes[0] += urgent.Size;
        }
    }

    private void Insert(SqliteTransaction tx, string table, IReadOnlyList<OutboxMessage> messages)
    {
        using var cmd = _db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = $"INSERT INTO {table}(seq, topic, payload) VALUES ($seq, $topic, $payload)";
        var seq = cmd.Parameters.Add("$seq", SqliteType.Integer);
        var topic = cmd.Parameters.Add("$topic", SqliteType.Text);
        var payload = cmd.Parameters.Add("$payload", SqliteType.Blob);
        cmd.Prepare();
        foreach (var m in messages)
        {
            seq.Value = m.Seq;
            topic.Value = m.Topic;
            payload.Value = m.Payload;
            cmd.ExecuteNonQuery();
        }
    }

    // Past the limit, drop the oldest telemetry down to 90% of it, so one drop (and one event) covers
    // many messages instead of one per new reading batch.
    private TelemetryDrop? DropLocked()
    {
        if (_pending.Count > 0)
        {
            WriteLocked(null);
        }

        var excess = Bytes - (long)(_queueLimit * 0.9);
        var dropped = new List<long>();
        long freed = 0;
        using (var cmd = _db.CreateCommand())
        {
            cmd.CommandText = "SELECT seq, length(payload)+length(topic) FROM telemetry ORDER BY seq";
            using var r = cmd.ExecuteReader();
            while (freed < excess && r.Read())
            {
                dropped.Add(r.GetInt64(0));
                freed += r.GetInt64(1);
            }
        }

        if (dropped.Count == 0)
        {
            return null;
        }

        using var tx = BeginLocked(full: false);
        using (var del = _db.CreateCommand())
        {
            del.Transaction = tx;
            del.CommandText = "DELETE FROM telemetry WHERE seq <= $s";
            del.Parameters.AddWithValue("$s", dropped[^1]);
            del.ExecuteNonQuery();
        }

        RememberSeqLocked(tx, dropped[^1]);
        tx.Commit();
        _count[1] -= dropped.Count;
        _bytes[1] -= freed;
        return new TelemetryDrop(SeqRange.FromSorted(dropped), dropped.Count, freed);
    }

    private void RememberSeqLocked(SqliteTransaction tx, long seq)
    {
        if (long.TryParse(GetLocked(tx, "seq"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var known) && known >= seq)
        {
            return;
        }

        SetLocked(tx, "seq", seq.ToString(CultureInfo.InvariantCulture));
    }

    private string? GetLocked(SqliteTransaction? tx, string key) => Sqlite.GetKv(_db, tx, key) as string;

    private void SetLocked(SqliteTransaction tx, string key, string value) => Sqlite.SetKv(_db, tx, key, value);

    // synchronous is a connection setting read at commit; switching it per transaction gives FULL
    // (fsync of the WAL at commit) where a loss would matter and NORMAL where it would not.
    private SqliteTransaction BeginLocked(bool full)
    {
        Exec(full ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;");
        return _db.BeginTransaction();
    }

    private void Exec(string sql) => Sqlite.Exec(_db, sql);

    private long ScalarLong(string sql)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}

/// <summary>What one enforcement of the queue limit dropped.</summary>
internal sealed record TelemetryDrop(IReadOnlyList<SeqRange> Ranges, int Count, long Bytes);
