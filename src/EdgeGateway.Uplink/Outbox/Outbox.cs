using System.Globalization;
using EdgeGateway.Uplink.Internal;
using Microsoft.Data.Sqlite;

namespace EdgeGateway.Uplink.Outbox;

/// <summary>
/// The durable outbox: every uplinked message is written here before it is published and deleted only
/// after the broker acknowledged it (PUBACK). A disk that refuses writes delays the writing, never the
/// message: see the remarks.
/// </summary>
/// <remarks>
/// <para>Storage is one SQLite file in WAL mode with a table per lane, keyed by seq (the rowid, so no
/// extra index is written). Urgent messages commit with <c>synchronous=FULL</c> the moment they are
/// created, taking any waiting telemetry with them in the same transaction. Telemetry waits in memory
/// for up to <see cref="OutboxTuning.TelemetryFlushInterval"/> or <see cref="OutboxTuning.TelemetryFlushCount"/>
/// messages and is then committed in one FULL transaction. Acknowledged rows are deleted in batches by
/// the caller (<see cref="DeleteUpTo"/>) with <c>synchronous=NORMAL</c>: a delete lost to a power cut
/// only means a duplicate the hub discards by id.</para>
/// <para>Seq: handed out only below a high-water mark fsync'd ahead in its own file
/// (<see cref="SeqReservation"/>, <see cref="OutboxTuning.SeqBlock"/> at a time), so no seq is ever given
/// twice, whatever fails. A restart continues above the mark and above anything stored (both tables and
/// <c>kv.seq</c>, which each delete updates); when it had not been shut down cleanly, the reserved seqs
/// above the highest stored one are reported as <see cref="Skipped"/> (telemetry lost from memory at a
/// power cut, urgent messages never saved, or seqs simply never used).</para>
/// <para>A failed write (disk full, I/O error) keeps every message in memory with its seq: urgent ones are
/// readable (publishable) from memory at once, telemetry waits to be written. Each new message and
/// <see cref="Flush"/> (every <see cref="OutboxTuning.RetryInterval"/>) try again; the first write that works
/// stores them all and ends the fault (<see cref="StorageChanged"/>). Past <see cref="OutboxTuning.UnsavedLimit"/>
/// bytes unsaved, the oldest unsaved telemetry is dropped (<see cref="TelemetryDropped"/>); urgent messages
/// are kept. An urgent message acknowledged while unsaved is forgotten rather than written.</para>
/// </remarks>
internal sealed class Outbox : IDisposable
{
    private static readonly string[] Tables = ["urgent", "telemetry"];

    private readonly Lock _lock = new();
    private readonly SqliteConnection _db;
    private readonly SeqReservation _seqMark;
    private long _queueLimit;
    private readonly OutboxTuning _tuning;
    private readonly TimeProvider _time;

    // Telemetry not yet written (by design until the flush, or because a write failed); always the newest telemetry.
    private readonly List<OutboxMessage> _pending = [];

    // Urgent messages a write failed to store; publishable from here.
    private readonly List<OutboxMessage> _unsavedUrgent = [];
    private readonly long[] _count = new long[2];
    private readonly long[] _bytes = new long[2];

    // Acknowledged rows a failed delete left behind, per lane: deleted with the next write that works.
    private readonly long[] _owedDelete = new long[2];
    private long _pendingBytes;
    private long _unsavedUrgentBytes;
    private long _lastSeq;
    private long _reserved;
    private long _pendingSince;
    private long _lastAttempt;
    private string? _fault;
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
        try
        {
            Exec("""
                CREATE TABLE IF NOT EXISTS urgent(seq INTEGER PRIMARY KEY, topic TEXT NOT NULL, payload BLOB NOT NULL);
                CREATE TABLE IF NOT EXISTS telemetry(seq INTEGER PRIMARY KEY, topic TEXT NOT NULL, payload BLOB NOT NULL);
                CREATE TABLE IF NOT EXISTS kv(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
                """);
            var known = Math.Max(ScalarLong("SELECT COALESCE(MAX(seq),0) FROM urgent"),
                ScalarLong("SELECT COALESCE(MAX(seq),0) FROM telemetry"));
            if (long.TryParse(Get("seq"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var kvSeq))
            {
                known = Math.Max(known, kvSeq);
            }

            _seqMark = SeqReservation.Open(System.IO.Path.ChangeExtension(path, ".seq"));
            if (_seqMark.Existed && !_seqMark.Clean && _seqMark.Mark > known)
            {
                Skipped = new SeqRange(known + 1, _seqMark.Mark);
            }

            _lastSeq = Math.Max(known, _seqMark.Mark);
            _reserved = _seqMark.Mark;
            for (var lane = 0; lane < 2; lane++)
            {
                _count[lane] = ScalarLong($"SELECT COUNT(*) FROM {Tables[lane]}");
                _bytes[lane] = ScalarLong($"SELECT COALESCE(SUM(length(payload)+length(topic)),0) FROM {Tables[lane]}");
            }
        }
        catch
        {
            _db.Dispose();
            throw;
        }
    }

    public string Path { get; }

    /// <summary>Seqs reserved before an unclean end and never stored: the hub may miss them. Null after a clean one.</summary>
    public SeqRange? Skipped { get; }

    /// <summary>Raised (outside the lock) when rows become publishable.</summary>
    public event Action? Written;

    /// <summary>Raised (outside the lock) when telemetry was dropped to honour the queue limit or the unsaved limit.</summary>
    public event Action<TelemetryDrop>? TelemetryDropped;

    /// <summary>Raised (outside the lock) with the error when writes start failing, and with null when one works again.</summary>
    public event Action<string?>? StorageChanged;

    /// <summary>The error of the last failed write while writes fail; null while they work.</summary>
    public string? Fault
    {
        get
        {
            lock (_lock)
            {
                return _fault;
            }
        }
    }

    /// <summary>Messages given a seq and not written yet (telemetry waiting for its flush included).</summary>
    public int Unsaved
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count + _unsavedUrgent.Count;
            }
        }
    }

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
                return _count[0] + _count[1] + _pending.Count + _unsavedUrgent.Count;
            }
        }
    }

    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return BytesLocked;
            }
        }
    }

    private long BytesLocked => _bytes[0] + _bytes[1] + _pendingBytes + _unsavedUrgentBytes;

    public long CountOf(Lane lane)
    {
        lock (_lock)
        {
            return _count[(int)lane] + (lane == Lane.Telemetry ? _pending.Count : _unsavedUrgent.Count);
        }
    }

    /// <summary>
    /// Gives the next seq to <paramref name="build"/>, which returns the payload carrying it, and stores the
    /// message: urgent ones durably before returning, telemetry within the flush interval. A disk that refuses
    /// the write leaves the message in memory (see the remarks); only a seq mark that cannot be written when
    /// the reserved block is used up throws (<see cref="IOException"/>), and then no seq was given.
    /// </summary>
    public OutboxMessage Add(Lane lane, string topic, Func<long, byte[]> build)
    {
        OutboxMessage message;
        bool written;
        TelemetryDrop? drop;
        string? before, after;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            before = _fault;
            var seq = NextSeqLocked();

            // Given from here on, whatever happens to the message.
            _lastSeq = seq;
            message = new OutboxMessage(seq, lane, topic, build(seq));
            if (lane == Lane.Urgent)
            {
                _unsavedUrgent.Add(message);
                _unsavedUrgentBytes += message.Size;
                TryWriteLocked();

                // Stored, or readable from memory: publishable either way.
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
                written = (_pending.Count >= _tuning.TelemetryFlushCount || _fault is not null) && TryWriteLocked();
            }

            drop = EnforceLimitsLocked(ref written);
            after = _fault;
        }

        Raise(before, after, drop, written);
        return message;
    }

    /// <summary>
    /// Writes waiting telemetry if the oldest has waited the flush interval (or always, with <paramref name="force"/>);
    /// while writes fail, tries again once <see cref="OutboxTuning.RetryInterval"/> has passed.
    /// </summary>
    public bool Flush(bool force = false)
    {
        bool written;
        string? before, after;
        lock (_lock)
        {
            if (_disposed)
            {
                return false;
            }

            before = _fault;
            if (_fault is not null)
            {
                if (!force && _time.GetElapsedTime(_lastAttempt) < _tuning.RetryInterval)
                {
                    return false;
                }
            }
            else if (_pending.Count == 0 || (!force && _time.GetElapsedTime(_pendingSince) < _tuning.TelemetryFlushInterval))
            {
                return false;
            }

            written = TryWriteLocked();
            after = _fault;
        }

        Raise(before, after, null, written);
        return written;
    }

    /// <summary>
    /// Messages of <paramref name="lane"/> with seq above <paramref name="afterSeq"/>, in seq order: stored rows and,
    /// for the urgent lane, those a failed write left in memory.
    /// </summary>
    public IReadOnlyList<OutboxMessage> Read(Lane lane, long afterSeq, int max)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var cmd = _db.CreateCommand();
            cmd.CommandText = $"SELECT seq, topic, payload FROM {Tables[(int)lane]} WHERE seq > $after ORDER BY seq LIMIT $max";
            cmd.Parameters.AddWithValue("$after", afterSeq);
            cmd.Parameters.AddWithValue("$max", max);
            var list = new List<OutboxMessage>();
            using (var reader = cmd.ExecuteReader())
            {
                while (reader.Read())
                {
                    list.Add(new OutboxMessage(reader.GetInt64(0), lane, reader.GetString(1), (byte[])reader.GetValue(2)));
                }
            }

            if (lane == Lane.Urgent && _unsavedUrgent.Count > 0)
            {
                // Rows not returned (past max) all lie above the last one returned, so sorting the union and
                // cutting at max never skips one.
                list.AddRange(_unsavedUrgent.Where(m => m.Seq > afterSeq));
                list.Sort((a, b) => a.Seq.CompareTo(b.Seq));
                if (list.Count > max)
                {
                    list.RemoveRange(max, list.Count - max);
                }
            }

            return list;
        }
    }

    /// <summary>
    /// Deletes the messages of <paramref name="lane"/> up to <paramref name="seq"/> (all acknowledged), stored or
    /// unsaved; returns how many. A delete the disk refuses is done with the next write that works.
    /// </summary>
    public long DeleteUpTo(Lane lane, long seq)
    {
        string? before, after;
        long removed = 0;
        lock (_lock)
        {
            if (_disposed)
            {
                return 0;
            }

            before = _fault;
            if (lane == Lane.Urgent)
            {
                // Acknowledged before it could be saved: the hub has it, nothing left to write.
                foreach (var m in _unsavedUrgent.Where(m => m.Seq <= seq))
                {
                    _unsavedUrgentBytes -= m.Size;
                    removed++;
                }

                _unsavedUrgent.RemoveAll(m => m.Seq <= seq);
            }

            try
            {
                using var tx = BeginLocked(full: false);
                var (rows, bytes) = DeleteRowsLocked(tx, lane, seq);
                if (rows > 0)
                {
                    tx.Commit();
                    _count[(int)lane] -= rows;
                    _bytes[(int)lane] -= bytes;
                    removed += rows;
                }
            }
            catch (Exception e) when (IsStorageError(e))
            {
                _owedDelete[(int)lane] = Math.Max(_owedDelete[(int)lane], seq);
                Failed(e);
            }

            after = _fault;
        }

        Raise(before, after, null, false);
        return removed;
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

    /// <summary>
    /// Writes what is unsaved; when nothing is left in memory, lowers the seq mark to the last seq given and
    /// marks it clean, so the next start skips nothing.
    /// </summary>
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
                if (_pending.Count > 0 || _unsavedUrgent.Count > 0 || _fault is not null)
                {
                    TryWriteLocked();
                }

                if (_pending.Count == 0 && _unsavedUrgent.Count == 0)
                {
                    _seqMark.Write(_lastSeq, clean: true);
                }
            }
            catch (Exception e) when (IsStorageError(e) || e is UnauthorizedAccessException)
            {
                // Left unclean: the next start announces the reserved range as skipped, which is then true.
            }
            finally
            {
                _disposed = true;
                _db.Dispose();
                _seqMark.Dispose();
            }
        }
    }

    /// <summary>Ends like a kill -9: nothing in memory is written and the seq mark stays as reserved.</summary>
    internal void Abandon()
    {
        lock (_lock)
        {
            _disposed = true;
            _db.Dispose();
            _seqMark.Dispose();
        }
    }

    /// <summary>Runs SQL on the outbox's own connection (tests cap it with <c>PRAGMA max_page_count</c>).</summary>
    internal long ExecForTests(string sql)
    {
        lock (_lock)
        {
            return ScalarLong(sql);
        }
    }

    // The mark is written ahead, at half a block left, so a device that starts refusing still leaves half a
    // block of seqs to give (each new message tries again); only a used-up block whose next mark cannot be
    // written stops new messages. The mark overwrites its own blocks in place, so a full disk alone never
    // gets here, only a failing device. Not a Fault: that one is about the database and ends with its writes.
    private long NextSeqLocked()
    {
        var seq = _lastSeq + 1;
        if (seq > _reserved - (_tuning.SeqBlock / 2))
        {
            var mark = Math.Max(_reserved, _lastSeq) + Math.Max(1, _tuning.SeqBlock);
            try
            {
                _seqMark.Write(mark, clean: false);
                _reserved = mark;
            }
            catch (Exception e) when ((e is IOException or UnauthorizedAccessException) && seq <= _reserved)
            {
                // Headroom left: give this seq, try the mark again with the next.
            }
        }

        return seq;
    }

    // One FULL transaction: unsaved telemetry and urgent messages, and any delete a refused write left owed.
    private bool TryWriteLocked()
    {
        _lastAttempt = _time.GetTimestamp();
        var probe = _fault is not null;
        long deletedRows0 = 0, deletedBytes0 = 0, deletedRows1 = 0, deletedBytes1 = 0;
        try
        {
            using var tx = BeginLocked(full: true);
            if (_pending.Count > 0)
            {
                Insert(tx, "telemetry", _pending);
            }

            if (_unsavedUrgent.Count > 0)
            {
                Insert(tx, "urgent", _unsavedUrgent);
            }

            if (_owedDelete[0] > 0)
            {
                (deletedRows0, deletedBytes0) = DeleteRowsLocked(tx, Lane.Urgent, _owedDelete[0]);
            }

            if (_owedDelete[1] > 0)
            {
                (deletedRows1, deletedBytes1) = DeleteRowsLocked(tx, Lane.Telemetry, _owedDelete[1]);
            }

            if (probe)
            {
                // Ending a fault takes a write that works, even with nothing unsaved; every seq up to the last
                // given is now stored, deleted or announced as dropped, so it is also the right kv.seq.
                RememberSeqLocked(tx, _lastSeq);
            }

            tx.Commit();
        }
        catch (Exception e) when (IsStorageError(e))
        {
            Failed(e);
            return false;
        }

        _count[1] += _pending.Count - deletedRows1;
        _bytes[1] += _pendingBytes - deletedBytes1;
        _count[0] += _unsavedUrgent.Count - deletedRows0;
        _bytes[0] += _unsavedUrgentBytes - deletedBytes0;
        _pending.Clear();
        _pendingBytes = 0;
        _unsavedUrgent.Clear();
        _unsavedUrgentBytes = 0;
        _owedDelete[0] = _owedDelete[1] = 0;
        _fault = null;
        return true;
    }

    private (long Rows, long Bytes) DeleteRowsLocked(SqliteTransaction tx, Lane lane, long seq)
    {
        var table = Tables[(int)lane];
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
            return (0, 0);
        }

        using (var del = _db.CreateCommand())
        {
            del.Transaction = tx;
            del.CommandText = $"DELETE FROM {table} WHERE seq <= $s";
            del.Parameters.AddWithValue("$s", seq);
            del.ExecuteNonQuery();
        }

        RememberSeqLocked(tx, max);
        return (rows, bytes);
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

    private TelemetryDrop? EnforceLimitsLocked(ref bool written)
    {
        var dropped = new List<long>();
        long freed = 0;
        if (BytesLocked > _queueLimit)
        {
            // Past the limit, drop the oldest telemetry down to 90% of it, so one drop (and one event) covers
            // many messages instead of one per new reading batch.
            if (_pending.Count > 0 && TryWriteLocked())
            {
                written = true;
            }

            var excess = BytesLocked - (long)(_queueLimit * 0.9);
            freed += DropStoredLocked(excess, dropped);
            freed += DropPendingLocked(excess - freed, dropped);
        }

        var unsaved = _pendingBytes + _unsavedUrgentBytes;
        if (_fault is not null && unsaved > _tuning.UnsavedLimit)
        {
            freed += DropPendingLocked(unsaved - (long)(_tuning.UnsavedLimit * 0.9), dropped);
        }

        return dropped.Count == 0 ? null : new TelemetryDrop(SeqRange.FromSorted(dropped), dropped.Count, freed);
    }

    // Stored telemetry is older than any unsaved telemetry, so it goes first.
    private long DropStoredLocked(long excess, List<long> dropped)
    {
        var seqs = new List<long>();
        long freed = 0;
        try
        {
            using (var cmd = _db.CreateCommand())
            {
                cmd.CommandText = "SELECT seq, length(payload)+length(topic) FROM telemetry ORDER BY seq";
                using var r = cmd.ExecuteReader();
                while (freed < excess && r.Read())
                {
                    seqs.Add(r.GetInt64(0));
                    freed += r.GetInt64(1);
                }
            }

            if (seqs.Count == 0)
            {
                return 0;
            }

            using var tx = BeginLocked(full: false);
            using (var del = _db.CreateCommand())
            {
                del.Transaction = tx;
                del.CommandText = "DELETE FROM telemetry WHERE seq <= $s";
                del.Parameters.AddWithValue("$s", seqs[^1]);
                del.ExecuteNonQuery();
            }

            RememberSeqLocked(tx, seqs[^1]);
            tx.Commit();
        }
        catch (Exception e) when (IsStorageError(e))
        {
            Failed(e);
            return 0;
        }

        _count[1] -= seqs.Count;
        _bytes[1] -= freed;
        dropped.AddRange(seqs);
        return freed;
    }

    private long DropPendingLocked(long excess, List<long> dropped)
    {
        var n = 0;
        long freed = 0;
        while (freed < excess && n < _pending.Count)
        {
            dropped.Add(_pending[n].Seq);
            freed += _pending[n].Size;
            n++;
        }

        _pending.RemoveRange(0, n);
        _pendingBytes -= freed;
        return freed;
    }

    private void Failed(Exception e) => _fault = e.Message;

    private static bool IsStorageError(Exception e) => Sqlite.IsStorageError(e);

    private void Raise(string? before, string? after, TelemetryDrop? drop, bool written)
    {
        if ((before is null) != (after is null))
        {
            StorageChanged?.Invoke(after);
        }

        if (drop is not null)
        {
            TelemetryDropped?.Invoke(drop);
        }

        if (written)
        {
            Written?.Invoke();
        }
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

    private SqliteTransaction BeginLocked(bool full) => Sqlite.Begin(_db, full);

    private void Exec(string sql) => Sqlite.Exec(_db, sql);

    private long ScalarLong(string sql) => Sqlite.ScalarLong(_db, null, sql);
}

/// <summary>What one enforcement of the queue limit dropped.</summary>
internal sealed record TelemetryDrop(IReadOnlyList<SeqRange> Ranges, int Count, long Bytes);
