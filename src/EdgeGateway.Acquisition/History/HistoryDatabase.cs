using System.Globalization;
using EdgeGateway.Core.Readings;
using EdgeGateway.Storage;
using Microsoft.Data.Sqlite;

namespace EdgeGateway.Acquisition.History;

/// <summary>A reading as kept in the history, with the raw count of a rain-total sensor.</summary>
public readonly record struct StoredReading(Reading Reading, double? Raw);

/// <summary>
/// The readings history file (SQLite). WAL journal with synchronous=NORMAL: a commit is one sequential append
/// to the WAL and the database pages are written only at checkpoints, and a power cut loses at most the last
/// commits, never the file. Readings are appended in batches (one transaction each) by <see cref="ReadingHistory"/>.
/// <para>
/// Schema: <c>sensors(id, name)</c> names each sensor once; <c>readings(key, sensor, value, quality, raw)</c> is
/// keyed by time: <c>key</c> is the rowid, Unix milliseconds UTC times 1024 plus a sequence number for readings
/// of the same millisecond. Readings arrive in time order, so every insert lands on the last page of the one
/// B-tree, and a batch of a few dozen readings dirties one or two pages: no index to keep (loading a window and
/// pruning are rowid ranges). Value is NULL for a reading that is not good; raw is the counter of a rain-total
/// sensor.
/// </para>
/// Not thread-safe: <see cref="ReadingHistory"/> serialises access.
/// </summary>
internal sealed class HistoryDatabase : IDisposable
{
    private const int SchemaVersion = 2;

    // key = Unix ms << SequenceBits | sequence: up to 1024 readings per millisecond keep their order.
    private const int SequenceBits = 10;

    private readonly SqliteConnection _connection;
    private readonly Dictionary<string, long> _sensorIds = new(StringComparer.Ordinal);
    private readonly Dictionary<long, string> _sensorNames = [];
    private long _lastKey = long.MinValue;

    private HistoryDatabase(SqliteConnection connection, string path)
    {
        _connection = connection;
        Path = path;
    }

    public string Path { get; }

    public static HistoryDatabase Open(string path, int pageSize = 1024)
    {
        // A new file gets small pages: a batch of readings then costs about one 1 KiB WAL frame, not 4 KiB.
        // After a checkpoint the WAL file is cut back to journal_size_limit instead of staying at its high-water mark.
        var connection = SqliteFile.Open(
            path,
            SqliteFile.PageSize(pageSize),
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=NORMAL",
            "PRAGMA temp_store=MEMORY",
            "PRAGMA journal_size_limit=1048576");
        try
        {
            var db = new HistoryDatabase(connection, path);
            db.Initialise();
            return db;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public long Count() => (long)Scalar("SELECT count(*) FROM readings")!;

    /// <summary>Appends the batch in one transaction.</summary>
    public void Append(IReadOnlyList<StoredReading> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        var lastKey = _lastKey;
        using var transaction = _connection.BeginTransaction();
        try
        {
            Insert(batch.OrderBy(r => r.Reading.Time), transaction);
            transaction.Commit();
        }
        catch
        {
            // Sensor ids and keys handed out inside the failed transaction were rolled back with it.
            _lastKey = lastKey;
            _sensorIds.Clear();
            _sensorNames.Clear();
            LoadSensors();
            throw;
        }
    }

    private void Insert(IEnumerable<StoredReading> batch, SqliteTransaction transaction)
    {
        using var insert = _connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT OR IGNORE INTO readings(key, sensor, value, quality, raw) VALUES ($key, $sensor, $value, $quality, $raw)";
        var key = insert.Parameters.Add("$key", SqliteType.Integer);
        var sensor = insert.Parameters.Add("$sensor", SqliteType.Integer);
        var value = insert.Parameters.Add("$value", SqliteType.Real);
        var quality = insert.Parameters.Add("$quality", SqliteType.Integer);
        var raw = insert.Parameters.Add("$raw", SqliteType.Real);
        insert.Prepare();
        foreach (var item in batch)
        {
            var r = item.Reading;
            sensor.Value = SensorId(r.SensorId, transaction);
            value.Value = double.IsFinite(r.Value) ? r.Value : DBNull.Value;
            quality.Value = QualityCode(r.Quality);
            raw.Value = item.Raw is { } x && double.IsFinite(x) ? x : DBNull.Value;
            var k = KeyOf(r.Time);
            if (k <= _lastKey && (_lastKey >> SequenceBits) == (k >> SequenceBits))
            {
                // Same millisecond as the last row: the next sequence number.
                k = _lastKey + 1;
            }

            // A reading older than the last row (rare: readings of different sources interleave) may meet a taken
            // key: take the next free sequence number of its millisecond.
            key.Value = k;
            var tries = 0;
            while (insert.ExecuteNonQuery() == 0)
            {
                if (++tries == 1 << SequenceBits)
                {
                    throw new InvalidOperationException($"more than {1 << SequenceBits} readings stamped {r.Time:O}");
                }

                key.Value = ++k;
            }

            _lastKey = Math.Max(_lastKey, k);
        }
    }

    /// <summary>Every reading taken at or after <paramref name="since"/>, per sensor, oldest first.</summary>
    public Dictionary<string, List<Reading>> Load(DateTimeOffset since, IReadOnlyCollection<string>? sensors = null)
    {
        var result = new Dictionary<string, List<Reading>>(StringComparer.Ordinal);
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT sensor, key, value, quality FROM readings WHERE key >= $since ORDER BY key";
        command.Parameters.AddWithValue("$since", KeyOf(since));
        if (sensors is not null)
        {
            var ids = sensors.Where(_sensorIds.ContainsKey).Select(n => _sensorIds[n]).ToList();
            if (ids.Count == 0)
            {
                return result;
            }

            // The ids are our own integers, not input: written into the statement, one plan per sensor set.
            command.CommandText = "SELECT sensor, key, value, quality FROM readings WHERE key >= $since AND sensor IN ("
                + string.Join(',', ids.Select(i => i.ToString(CultureInfo.InvariantCulture))) + ") ORDER BY key";
        }
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var name = _sensorNames[reader.GetInt64(0)];
            if (!result.TryGetValue(name, out var list))
            {
                list = [];
                result[name] = list;
            }

            list.Add(new Reading(
                name,
                TimeOf(reader.GetInt64(1)),
                reader.IsDBNull(2) ? double.NaN : reader.GetDouble(2),
                QualityOf(reader.GetInt32(3))));
        }

        return result;
    }

    /// <summary>The latest raw counter kept for a sensor, with its time.</summary>
    public (double Raw, DateTimeOffset Time)? LastRaw(string sensorId)
    {
        if (!_sensorIds.TryGetValue(sensorId, out var id))
        {
            return null;
        }

        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT raw, key FROM readings WHERE sensor = $sensor AND raw IS NOT NULL ORDER BY key DESC LIMIT 1";
        command.Parameters.AddWithValue("$sensor", id);
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetDouble(0), TimeOf(reader.GetInt64(1))) : null;
    }

    /// <summary>Deletes readings taken before <paramref name="cutoff"/>; returns how many.</summary>
    public int Prune(DateTimeOffset cutoff)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "DELETE FROM readings WHERE key < $cutoff";
        command.Parameters.AddWithValue("$cutoff", KeyOf(cutoff));
        return command.ExecuteNonQuery();
    }

    public void Dispose() => _connection.Dispose();

    private static long KeyOf(DateTimeOffset time) => time.ToUnixTimeMilliseconds() << SequenceBits;

    private static DateTimeOffset TimeOf(long key) => DateTimeOffset.FromUnixTimeMilliseconds(key >> SequenceBits);

    // Stable codes on disk, independent of the enum's declaration order.
    private static int QualityCode(Quality quality) => quality switch
    {
        Quality.Good => 0,
        Quality.CommFault => 1,
        Quality.OutOfRange => 2,
        Quality.Stale => 3,
        _ => throw new ArgumentOutOfRangeException(nameof(quality)),
    };

    private static Quality QualityOf(int code) => code switch
    {
        0 => Quality.Good,
        1 => Quality.CommFault,
        2 => Quality.OutOfRange,
        _ => Quality.Stale,
    };

    private void Initialise()
    {
        var version = Convert.ToInt64(Scalar("PRAGMA user_version"), System.Globalization.CultureInfo.InvariantCulture);
        if (version > SchemaVersion)
        {
            throw new InvalidOperationException($"{Path} was written by a newer version (schema {version}); move it aside to start a new history");
        }

        using (var transaction = _connection.BeginTransaction())
        {
            if (version == 1)
            {
                Execute("DROP INDEX IF EXISTS readings_time; ALTER TABLE readings RENAME TO readings_v1", transaction);
            }

            Execute("""
                CREATE TABLE IF NOT EXISTS sensors(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
                CREATE TABLE IF NOT EXISTS readings(
                    key INTEGER PRIMARY KEY,
                    sensor INTEGER NOT NULL,
                    value REAL,
                    quality INTEGER NOT NULL,
                    raw REAL);
                """, transaction);
            if (version == 1)
            {
                // Schema 1 kept a time column and an index on it: carry its readings over to time keys.
                Execute("""
                    INSERT OR IGNORE INTO readings(key, sensor, value, quality, raw)
                        SELECT (time << 10) + (rowid & 1023), sensor, value, quality, raw FROM readings_v1 ORDER BY rowid;
                    DROP TABLE readings_v1;
                    """, transaction);
            }

            Execute("PRAGMA user_version=2", transaction);
            transaction.Commit();
        }

        _lastKey = Scalar("SELECT max(key) FROM readings") is long last ? last : long.MinValue;
        LoadSensors();
    }

    private void LoadSensors()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT id, name FROM sensors";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            _sensorIds[reader.GetString(1)] = reader.GetInt64(0);
            _sensorNames[reader.GetInt64(0)] = reader.GetString(1);
        }
    }

    private long SensorId(string name, SqliteTransaction transaction)
    {
        if (_sensorIds.TryGetValue(name, out var id))
        {
            return id;
        }

        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO sensors(name) VALUES ($name) RETURNING id";
        command.Parameters.AddWithValue("$name", name);
        id = (long)command.ExecuteScalar()!;
        _sensorIds[name] = id;
        _sensorNames[id] = name;
        return id;
    }

    private void Execute(string sql, SqliteTransaction? transaction = null) => SqliteFile.Exec(_connection, sql, transaction);

    private object? Scalar(string sql) => SqliteFile.Scalar(_connection, sql);
}
