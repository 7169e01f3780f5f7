using EdgeGateway.Storage;
using Microsoft.Data.Sqlite;

namespace EdgeGateway.Acquisition.Tests.Internal;

/// <summary>The SQLite helper every store opens its file with, on real files.</summary>
public sealed class SqliteFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Open_MissingDirectoryAndExclusiveWal_CreatesTheFileWithItsPragmasAndNoShmFile()
    {
        var path = Path.Combine(_dir.Path, "nested", "store.db");

        using (var db = SqliteFile.Open(path, SqliteFile.ExclusiveWal, SqliteFile.PageSize(1024), "PRAGMA journal_mode=WAL;"))
        {
            SqliteFile.Exec(db, "CREATE TABLE t(x INTEGER); INSERT INTO t VALUES (1);");

            Assert.Equal("wal", SqliteFile.Scalar(db, "PRAGMA journal_mode"));
            Assert.Equal(1024, SqliteFile.ScalarLong(db, "PRAGMA page_size"));
            Assert.Equal("exclusive", SqliteFile.Scalar(db, "PRAGMA locking_mode"));
            Assert.False(File.Exists(path + "-shm"));
        }

        using var reader = SqliteFile.OpenReadOnly(path);
        Assert.Equal(1, SqliteFile.ScalarLong(reader, "SELECT x FROM t"));
    }

    [Theory]
    [InlineData(true, 2)]
    [InlineData(false, 1)]
    public void Begin_FullOrNormal_SetsSynchronousForTheCommit(bool full, long expected)
    {
        using var db = SqliteFile.Open(_dir.File("sync.db"), "PRAGMA journal_mode=WAL;");

        using var transaction = SqliteFile.Begin(db, full);

        Assert.Equal(expected, SqliteFile.ScalarLong(db, "PRAGMA synchronous", transaction));
    }

    [Fact]
    public void IsStorageError_FileThatCannotGrow_IsAStorageErrorAndOtherFailuresAreNot()
    {
        using var db = SqliteFile.Open(_dir.File("full.db"), "PRAGMA journal_mode=WAL;");
        SqliteFile.Exec(db, "CREATE TABLE t(x BLOB)");
        SqliteFile.Exec(db, "PRAGMA max_page_count=" + SqliteFile.ScalarLong(db, "PRAGMA page_count"));

        var full = Assert.Throws<SqliteException>(() => SqliteFile.Exec(db, "INSERT INTO t VALUES (zeroblob(65536))"));

        Assert.True(SqliteFile.IsStorageError(full));
        Assert.True(SqliteFile.IsStorageError(new IOException("disk")));
        Assert.False(SqliteFile.IsStorageError(new InvalidOperationException()));
    }

    [Fact]
    public void Open_UnopenablePath_ThrowsAStorageError()
    {
        File.WriteAllText(_dir.File("file"), "not a directory");

        var e = Assert.ThrowsAny<Exception>(() => SqliteFile.Open(Path.Combine(_dir.File("file"), "store.db")));

        Assert.True(SqliteFile.IsStorageError(e));
    }
}
