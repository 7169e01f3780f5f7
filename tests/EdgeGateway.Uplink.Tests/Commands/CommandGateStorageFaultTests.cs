using EdgeGateway.Uplink.Commands;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Uplink.Tests.Commands;

public sealed class CommandGateStorageFaultTests : IDisposable
{
    private static readonly DateTimeOffset Build = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = new(2026, 7, 1, 3, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();
    private readonly Keys _keys = new();
    private readonly FakeTimeProvider _time = new(Now);

    private CommandGate Open() => new(_dir.File("commands.db"), "wz-oh-lilong-01", _keys.HubPublic(), _time, Build);

    // A full disk for the gate's file: no page may be added (SQLITE_FULL), and the pages it has are filled with
    // ever smaller rows until not even a tiny one fits anywhere.
    private static void Fill(CommandGate gate)
    {
        gate.ExecForTests("VACUUM");
        var pages = (long)gate.ExecForTests("PRAGMA page_count")!;
        gate.ExecForTests($"PRAGMA max_page_count={pages}");
        var inserted = 0;
        for (var len = 64; len >= 1; len /= 2)
        {
            while (true)
            {
                Assert.True(++inserted < 10_000, "the page limit never bit");
                try
                {
                    gate.ExecForTests($"INSERT INTO seen_jti(jti, exp) VALUES ('j-' || hex(randomblob({len})), 9000000000000)");
                }
                catch (SqliteException e) when (e.SqliteErrorCode == 13)
                {
                    break;
                }
            }
        }
    }

    [Fact]
    public void Verify_DiskFull_AcceptsRefusesReplayFromMemoryAndStoresWhenSpaceReturns()
    {
        var token = _keys.Sign(Now, jti: "j-full");
        var changes = new List<string?>();
        using (var gate = Open())
        {
            gate.StorageChanged += changes.Add;
            Fill(gate);

            var first = gate.Verify(token, retained: false);
            Assert.True(first.Accepted, first.Error);
            Assert.Contains("full", Assert.Single(changes), StringComparison.OrdinalIgnoreCase);

            // Not on disk yet, but remembered: the replay is refused all the same.
            Assert.Equal("replayed", gate.Verify(token, retained: false).Error);

            gate.ExecForTests("PRAGMA max_page_count=1000000");
            gate.RetryUnsaved();
            Assert.Equal(2, changes.Count);
            Assert.Null(changes[1]);
        }

        // Stored once space returned: a restart still refuses the replay.
        using var reopened = Open();
        Assert.Equal("replayed", reopened.Verify(token, retained: false).Error);
    }

    public void Dispose()
    {
        _keys.Dispose();
        _dir.Dispose();
    }
}
