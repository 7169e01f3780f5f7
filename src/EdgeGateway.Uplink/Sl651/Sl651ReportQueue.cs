using System.Globalization;
using EdgeGateway.Uplink.Internal;
using Microsoft.Data.Sqlite;

namespace EdgeGateway.Uplink.Sl651;

/// <summary>A report the centre has not confirmed yet: its encoded frame as first sent.</summary>
internal sealed record OwedReport(long Id, ushort Serial, byte Function, byte[] Frame);

/// <summary>
/// The durable queue of reports owed to the centre (work mode M2): a report is committed (synchronous=FULL)
/// before it is sent and deleted only when the centre confirms its serial, so neither a centre outage nor a
/// restart loses one. The serial counter and the rain totals live in the same file, written in the report's
/// transaction, so a restart neither repeats a serial still owed nor forgets rain a report already counted.
/// </summary>
/// <remarks>Shares the outbox's SQLite plumbing (<see cref="Sqlite"/>): WAL, exclusive locking, FULL commits, and
/// its answer to a disk that refuses writes: the report is kept in memory, sendable at once, and written with the
/// next write that works (each new report and each confirmation try again). <see cref="Fault"/> says why.</remarks>
internal sealed class Sl651ReportQueue : IDisposable
{
    public const string FileName = "sl651.db";

    private readonly Lock _lock = new();
    private readonly SqliteConnection _db;
    private readonly List<OwedReport> _unsaved = [];
    private readonly Dictionary<string, string> _unsavedValues = new(StringComparer.Ordinal);
    private long _nextUnsavedId = -1;
    private int _serial;

    public Sl651ReportQueue(string path)
    {
        _db = Sqlite.OpenWal(path);
        try
        {
            Sqlite.Exec(_db, """
                CREATE TABLE IF NOT EXISTS owed(id INTEGER PRIMARY KEY AUTOINCREMENT, serial INTEGER NOT NULL, function INTEGER NOT NULL, frame BLOB NOT NULL);
                CREATE TABLE IF NOT EXISTS kv(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
                """);
            _serial = int.TryParse(Sqlite.GetKv(_db, null, "serial") as string, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : 0;
        }
        catch
        {
            _db.Dispose();
            throw;
        }
    }

    /// <summary>Why the last write failed, while reports wait in memory; null when everything is stored.</summary>
    public string? Fault { get; private set; }

    /// <summary>Serials count 1..65535 and wrap (0 is never used).</summary>
    public ushort NextSerial()
    {
        lock (_lock)
        {
            _serial = _serial >= ushort.MaxValue ? 1 : _serial + 1;
            return (ushort)_serial;
        }
    }

    public long Count
    {
        get
        {
            lock (_lock)
            {
                return Sqlite.ScalarLong(_db, null, "SELECT COUNT(*) FROM owed") + _unsaved.Count;
            }
        }
    }

    /// <summary>
    /// Stores a report with the serial counter and the values it took (rain totals) in one FULL commit; false when
    /// the disk refused and the report waits in memory (<see cref="Fault"/>).
    /// </summary>
    public bool Add(ushort serial, byte function, byte[] frame, IReadOnlyDictionary<string, string> values)
    {
        lock (_lock)
        {
            _unsaved.Add(new OwedReport(_nextUnsavedId--, serial, function, frame));
            foreach (var (key, value) in values)
            {
                _unsavedValues[key] = value;
            }

            return TryWriteLocked();
        }
    }

    /// <summary>The next report to send: add reports (warnings) ahead of the others, each kind oldest first.</summary>
    public OwedReport? Next() => InSendingOrder(1) is [var first, ..] ? first : null;

    /// <summary>Up to <paramref name="max"/> owed reports in the order they will be sent.</summary>
    public IReadOnlyList<OwedReport> InSendingOrder(int max)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT id, serial, function, frame FROM owed ORDER BY (function = $add) DESC, id LIMIT $max";
            cmd.Parameters.AddWithValue("$add", (int)EdgeGateway.Sl651.Sl651Function.Add);
            cmd.Parameters.AddWithValue("$max", max);
            using var r = cmd.ExecuteReader();
            var list = new List<OwedReport>();
            while (r.Read())
            {
                list.Add(new OwedReport(r.GetInt64(0), (ushort)r.GetInt32(1), (byte)r.GetInt32(2), (byte[])r.GetValue(3)));
            }

            if (_unsaved.Count == 0)
            {
                return list;
            }

            // Unsaved reports are the newest: after every stored one of their kind. Rows left out (past max) sort
            // after the last one returned, so cutting the union at max skips none.
            return [.. list.Concat(_unsaved)
                .OrderByDescending(o => o.Function == (byte)EdgeGateway.Sl651.Sl651Function.Add)
                .ThenBy(o => o.Id > 0 ? o.Id : long.MaxValue / 2 - o.Id)
                .Take(max)];
        }
    }

    /// <summary>The centre confirmed it. A delete lost to a power cut or a full disk only sends a confirmed report once more.</summary>
    public void Confirmed(long id)
    {
        lock (_lock)
        {
            if (id < 0)
            {
                _unsaved.RemoveAll(o => o.Id == id);
                return;
            }

            try
            {
                using var tx = Sqlite.Begin(_db, full: false);
                using var cmd = _db.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = "DELETE FROM owed WHERE id = $id";
                cmd.Parameters.AddWithValue("$id", id);
                cmd.ExecuteNonQuery();
                tx.Commit();
            }
            catch (Exception e) when (Sqlite.IsStorageError(e))
            {
                Fault = e.Message;
            }

            if (_unsaved.Count > 0)
            {
                TryWriteLocked();
            }
        }
    }

    public string? Get(string key)
    {
        lock (_lock)
        {
            return _unsavedValues.TryGetValue(key, out var v) ? v : Sqlite.GetKv(_db, null, key) as string;
        }
    }

    public void Dispose() => _db.Dispose();

    internal long ExecForTests(string sql)
    {
        lock (_lock)
        {
            return Sqlite.ScalarLong(_db, null, sql);
        }
    }

    // One FULL transaction: every unsaved report, in order, with the serial counter and the values they took.
    private bool TryWriteLocked()
    {
        try
        {
            using var tx = Sqlite.Begin(_db, full: true);
            using (var cmd = _db.CreateCommand())
            {
                cmd.Transaction = tx;
                cmd.CommandText = "INSERT INTO owed(serial, function, frame) VALUES ($s, $f, $b)";
                var serial = cmd.Parameters.Add("$s", SqliteType.Integer);
                var function = cmd.Parameters.Add("$f", SqliteType.Integer);
                var frame = cmd.Parameters.Add("$b", SqliteType.Blob);
                foreach (var o in _unsaved)
                {
                    serial.Value = (int)o.Serial;
                    function.Value = (int)o.Function;
                    frame.Value = o.Frame;
                    cmd.ExecuteNonQuery();
                }
            }

            Sqlite.SetKv(_db, tx, "serial", _serial.ToString(CultureInfo.InvariantCulture));
            foreach (var (key, value) in _unsavedValues)
            {
                Sqlite.SetKv(_db, tx, key, value);
            }

            tx.Commit();
        }
        catch (Exception e) when (Sqlite.IsStorageError(e))
        {
            Fault = e.Message;
            return false;
        }

        _unsaved.Clear();
        _unsavedValues.Clear();
        Fault = null;
        return true;
    }
}
