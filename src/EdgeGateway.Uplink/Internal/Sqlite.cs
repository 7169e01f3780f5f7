using Microsoft.Data.Sqlite;

namespace EdgeGateway.Uplink.Internal;

/// <summary>The little SQLite plumbing the outbox, the command gate and the SL 651 report queue share.</summary>
internal static class Sqlite
{
    /// <summary>Opens (creating the directory) a WAL database without connection pooling.</summary>
    public static SqliteConnection OpenWal(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }

        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        db.Open();
        // Small pages: a commit rewrites the partly filled last page of each table it touches, and that
        // rewrite is most of what a trickle of small messages costs the SD card. Takes effect on a new file.
        // Exclusive locking before the first WAL access keeps the WAL index in this process's memory instead
        // of a -shm file: only this process opens these files, and a -shm file cannot be made on a full disk,
        // which would keep a station restarted on a full disk from even reading its outbox. With it, reads
        // work and writes fail cleanly (SQLITE_FULL) until space returns.
        Exec(db, "PRAGMA locking_mode=EXCLUSIVE; PRAGMA page_size=1024; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
        return db;
    }

    public static void Exec(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    /// <summary>A disk that refuses a write (full, I/O error) surfaces as one of these; callers keep the data in memory.</summary>
    public static bool IsStorageError(Exception e) => e is SqliteException or IOException;

    // synchronous is a connection setting read at commit; switching it per transaction gives FULL
    // (fsync of the WAL at commit) where a loss would matter and NORMAL where it would not.
    public static SqliteTransaction Begin(SqliteConnection db, bool full)
    {
        Exec(db, full ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;");
        return db.BeginTransaction();
    }

    public static long ScalarLong(SqliteConnection db, SqliteTransaction? tx, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static object? GetKv(SqliteConnection db, SqliteTransaction? tx, string key)
    {
        using var cmd = db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT value FROM kv WHERE key = $k";
        cmd.Parameters.AddWithValue("$k", key);
        return cmd.ExecuteScalar();
    }

    public static void SetKv(SqliteConnection db, SqliteTransaction? tx, string key, object value)
    {
        using var cmd = db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "INSERT INTO kv(key, value) VALUES ($k, $v) ON CONFLICT(key) DO UPDATE SET value = excluded.value";
        cmd.Parameters.AddWithValue("$k", key);
        cmd.Parameters.AddWithValue("$v", value);
        cmd.ExecuteNonQuery();
    }
}
