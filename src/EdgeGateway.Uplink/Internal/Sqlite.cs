using EdgeGateway.Storage;
using Microsoft.Data.Sqlite;

namespace EdgeGateway.Uplink.Internal;

/// <summary>The uplink stores' SQLite plumbing (outbox, command gate, event record, SL 651 report queue): their
/// file settings and <c>kv</c> table, over <see cref="SqliteFile"/>.</summary>
internal static class Sqlite
{
    /// <summary>Opens (creating the directory) a WAL database without connection pooling.</summary>
    public static SqliteConnection OpenWal(string path) =>
        // Small pages: a commit rewrites the partly filled last page of each table it touches, and that
        // rewrite is most of what a trickle of small messages costs the SD card. Takes effect on a new file.
        SqliteFile.Open(path, SqliteFile.ExclusiveWal, SqliteFile.PageSize(1024), "PRAGMA journal_mode=WAL;", "PRAGMA synchronous=FULL;");

    public static void Exec(SqliteConnection db, string sql) => SqliteFile.Exec(db, sql);

    /// <inheritdoc cref="SqliteFile.IsStorageError"/>
    public static bool IsStorageError(Exception e) => SqliteFile.IsStorageError(e);

    /// <inheritdoc cref="SqliteFile.Begin"/>
    public static SqliteTransaction Begin(SqliteConnection db, bool full) => SqliteFile.Begin(db, full);

    public static long ScalarLong(SqliteConnection db, SqliteTransaction? tx, string sql) => SqliteFile.ScalarLong(db, sql, tx);

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
