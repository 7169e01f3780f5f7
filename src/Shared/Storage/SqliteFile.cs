using System.Globalization;
using Microsoft.Data.Sqlite;

namespace EdgeGateway.Storage;

/// <summary>
/// How every station store opens and writes its SQLite file (readings history, alert state, outbox, command gate,
/// event record, SL 651 queue). Compiled into each project that keeps a file: the stores live in projects that do not
/// reference one another, and Core, which they share, takes no SQLite dependency.
/// <para>
/// A writer that waits for a lock relies on Microsoft.Data.Sqlite's busy handling: a statement retries
/// <c>SQLITE_BUSY</c> until its command timeout (30 s). Only readers from another process (history export) can meet
/// one; the files opened <see cref="ExclusiveWal"/> are never shared.
/// </para>
/// </summary>
internal static class SqliteFile
{
    /// <summary>
    /// The WAL index in this process's memory instead of a <c>-shm</c> file: only this process opens the file, and a
    /// <c>-shm</c> file cannot be made on a full disk, which would keep a station restarted on a full disk from even
    /// reading what it must keep. With it, reads work and writes fail cleanly (<c>SQLITE_FULL</c>) until space returns.
    /// Must come before the first WAL access.
    /// </summary>
    public const string ExclusiveWal = "PRAGMA locking_mode=EXCLUSIVE;";

    /// <summary>Opens <paramref name="path"/> read-write (creating it and its directory), then runs
    /// <paramref name="pragmas"/> in order. Connection pooling is off: each store holds its one connection.</summary>
    public static SqliteConnection Open(string path, params string[] pragmas)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(pragmas);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
        try
        {
            connection.Open();
            foreach (var pragma in pragmas)
            {
                Exec(connection, pragma);
            }

            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Opens an existing file read-only (a reader beside the writing service; WAL does not block it).</summary>
    public static SqliteConnection OpenReadOnly(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        try
        {
            connection.Open();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary><c>PRAGMA page_size</c>: takes effect on a new file only (an existing one keeps its own).</summary>
    public static string PageSize(int bytes) => string.Create(CultureInfo.InvariantCulture, $"PRAGMA page_size={bytes};");

    public static void Exec(SqliteConnection db, string sql, SqliteTransaction? transaction = null)
    {
        ArgumentNullException.ThrowIfNull(db);
        using var command = db.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public static object? Scalar(SqliteConnection db, string sql, SqliteTransaction? transaction = null)
    {
        ArgumentNullException.ThrowIfNull(db);
        using var command = db.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    public static long ScalarLong(SqliteConnection db, string sql, SqliteTransaction? transaction = null) =>
        Convert.ToInt64(Scalar(db, sql, transaction), CultureInfo.InvariantCulture);

    /// <summary>
    /// <c>synchronous</c> is a connection setting read at commit, and SQLite ignores a change of it inside a
    /// transaction: set it here, between transactions. FULL fsyncs the WAL at each commit (a power cut loses
    /// nothing committed); NORMAL only at checkpoints (a power cut may lose the last commits, never the file).
    /// </summary>
    public static void Synchronous(SqliteConnection db, bool full) =>
        Exec(db, full ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;");

    /// <summary>Begins a transaction committed with FULL or NORMAL durability (see <see cref="Synchronous"/>).</summary>
    public static SqliteTransaction Begin(SqliteConnection db, bool full)
    {
        Synchronous(db, full);
        return db.BeginTransaction();
    }

    /// <summary>A disk that refuses a write (full, I/O error) surfaces as one of these; callers keep the data in memory.</summary>
    public static bool IsStorageError(Exception e) => e is SqliteException or IOException;
}
