using System.Text;
using EdgeGateway.Uplink.Outbox;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Uplink.Tests.Outbox;

/// <summary>
/// A disk that refuses writes, made real with SQLite's <c>PRAGMA max_page_count</c> (every commit that needs
/// a new page fails with SQLITE_FULL, as on a full disk), and ends that look like kill -9.
/// </summary>
public sealed class OutboxStorageFaultTests : IDisposable
{
    // Over a 1 KiB page: every message needs new (overflow) pages, so none fits in free space left on a page.
    private const int Big = 2000;

    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 7, 1, 3, 0, 0, TimeSpan.Zero));
    private readonly OutboxTuning _tuning = new() { TelemetryFlushCount = 4 };

    private Uplink.Outbox.Outbox Open(long limit = 1 << 30) => new(_dir.File("outbox.db"), limit, _tuning, _time);

    private static byte[] Payload(long seq, int size = Big) =>
        Encoding.UTF8.GetBytes($"{{\"seq\":{seq},\"pad\":\"{new string('x', size)}\"}}");

    private static void DiskFull(Uplink.Outbox.Outbox outbox) => FullDisk.Fill(outbox);

    private static void SpaceReturns(Uplink.Outbox.Outbox outbox) => FullDisk.Free(outbox);

    private static List<long> Stored(Uplink.Outbox.Outbox outbox, Lane lane) =>
        [.. outbox.Read(lane, 0, 100_000).Select(m => m.Seq)];

    [Fact]
    public void Add_WhileDiskFull_NoSeqReusedAndEverythingWrittenWhenSpaceReturns()
    {
        using var outbox = Open();
        var changes = new List<string?>();
        outbox.StorageChanged += changes.Add;
        var given = new List<long>
        {
            outbox.Add(Lane.Urgent, "event", s => Payload(s)).Seq,
            outbox.Add(Lane.Telemetry, "telemetry", s => Payload(s)).Seq,
        };
        outbox.Flush(force: true);
        Assert.Null(outbox.Fault);

        DiskFull(outbox);
        for (var i = 0; i < 10; i++)
        {
            given.Add(outbox.Add(i % 3 == 0 ? Lane.Urgent : Lane.Telemetry, i % 3 == 0 ? "alert" : "telemetry", s => Payload(s)).Seq);
        }

        // The old bug: the failed write kept the seq, so the next message got it again and every write after
        // failed with a UNIQUE error. Now every message has its own seq and waits in memory.
        Assert.Equal(given.Count, given.Distinct().Count());
        Assert.Equal(given.Order(), given);
        Assert.NotNull(outbox.Fault);
        Assert.Contains("full", outbox.Fault, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(10, outbox.Unsaved);
        Assert.Equal(12, outbox.Count);
        Assert.Equal([changes[0]], changes);
        Assert.NotNull(changes[0]);

        // Urgent messages are publishable from memory at once; telemetry waits to be written.
        Assert.Equal([1, 3, 6, 9, 12], Stored(outbox, Lane.Urgent));
        Assert.Equal([2], Stored(outbox, Lane.Telemetry));

        // The retry timer: nothing before the interval, then a write that works stores everything, no restart.
        Assert.False(outbox.Flush());
        SpaceReturns(outbox);
        _time.Advance(_tuning.RetryInterval);
        Assert.True(outbox.Flush());
        Assert.Null(outbox.Fault);
        Assert.Equal([changes[0], null], changes);
        Assert.Equal(0, outbox.Unsaved);
        var all = Stored(outbox, Lane.Urgent).Concat(Stored(outbox, Lane.Telemetry)).Order().ToList();
        Assert.Equal(given, all);
        Assert.Equal(13, outbox.Add(Lane.Telemetry, "telemetry", s => Payload(s)).Seq);
    }

    [Fact]
    public void Add_WhileDiskFull_NextMessageRetriesAndSucceedsOnceSpaceReturns()
    {
        using var outbox = Open();
        DiskFull(outbox);
        outbox.Add(Lane.Urgent, "event", s => Payload(s));
        Assert.NotNull(outbox.Fault);
        SpaceReturns(outbox);

        // No timer needed: the next message tries again and takes the waiting one with it.
        outbox.Add(Lane.Urgent, "event", s => Payload(s));
        Assert.Null(outbox.Fault);
        Assert.Equal(0, outbox.Unsaved);
        outbox.Dispose();
        using var reopened = Open();
        Assert.Equal([1, 2], Stored(reopened, Lane.Urgent));
        Assert.Null(reopened.Skipped);
    }

    [Fact]
    public void DeleteUpTo_UrgentAcknowledgedWhileUnsaved_IsForgottenNotWritten()
    {
        using var outbox = Open();
        DiskFull(outbox);
        outbox.Add(Lane.Urgent, "alert", s => Payload(s));
        outbox.Add(Lane.Urgent, "event", s => Payload(s));
        Assert.Equal(1, outbox.DeleteUpTo(Lane.Urgent, 1));
        SpaceReturns(outbox);
        Assert.True(outbox.Flush(force: true));
        Assert.Equal([2], Stored(outbox, Lane.Urgent));
        Assert.Equal(1, outbox.Count);
    }

    [Fact]
    public void Add_UnsavedPastLimit_DropsOldestTelemetryWithEventAndKeepsUrgent()
    {
        _tuning.UnsavedLimit = 10 * Big;
        using var outbox = Open();
        var drops = new List<TelemetryDrop>();
        outbox.TelemetryDropped += drops.Add;
        DiskFull(outbox);
        for (var i = 0; i < 30; i++)
        {
            outbox.Add(i % 10 == 0 ? Lane.Urgent : Lane.Telemetry, "x", s => Payload(s));
        }

        Assert.NotEmpty(drops);
        var dropped = drops.SelectMany(d => d.Ranges).SelectMany(r => Enumerable.Range((int)r.First, (int)r.Count)).ToList();
        Assert.DoesNotContain(1, dropped);
        Assert.DoesNotContain(11, dropped);
        Assert.DoesNotContain(21, dropped);
        Assert.Equal(2, dropped.Min());
        Assert.True(outbox.Bytes <= _tuning.UnsavedLimit + Big, $"{outbox.Bytes} bytes unsaved");

        // What was kept is written, in order, once space returns.
        SpaceReturns(outbox);
        Assert.True(outbox.Flush(force: true));
        Assert.Equal([1, 11, 21], Stored(outbox, Lane.Urgent));
        Assert.Equal(Enumerable.Range(2, 29).Where(s => s % 10 != 1 && !dropped.Contains(s)).Select(s => (long)s), Stored(outbox, Lane.Telemetry));
    }

    [Fact]
    public void DeleteUpTo_DiskRefusesDelete_DoesNotThrowAndDeletesWithNextWrite()
    {
        using var outbox = Open();
        for (var i = 0; i < 3; i++)
        {
            outbox.Add(Lane.Urgent, "event", s => Payload(s));
        }

        // A read-only database refuses the delete the way a failing disk does.
        outbox.ExecForTests("PRAGMA query_only=1;");
        Assert.Equal(0, outbox.DeleteUpTo(Lane.Urgent, 2));
        Assert.NotNull(outbox.Fault);
        outbox.ExecForTests("PRAGMA query_only=0;");
        Assert.True(outbox.Flush(force: true));
        Assert.Equal([3], Stored(outbox, Lane.Urgent));
        Assert.Equal(1, outbox.Count);
    }

    [Fact]
    public void Reopen_AfterKillBetweenReservationAndWrite_ContinuesAboveMarkAndReportsSkipped()
    {
        var outbox = Open();
        for (var i = 0; i < 3; i++)
        {
            outbox.Add(Lane.Urgent, "event", s => Payload(s, 10));
        }

        // Telemetry still in memory when the process dies: seqs 4 and 5 were given but never stored.
        outbox.Add(Lane.Telemetry, "telemetry", s => Payload(s, 10));
        outbox.Add(Lane.Telemetry, "telemetry", s => Payload(s, 10));
        outbox.Abandon();

        using (var reopened = Open())
        {
            Assert.Equal(new SeqRange(4, _tuning.SeqBlock), reopened.Skipped);
            Assert.Equal(_tuning.SeqBlock + 1, reopened.Add(Lane.Urgent, "event", s => Payload(s, 10)).Seq);
        }

        // A clean stop afterwards leaves nothing to announce and continues right after the last seq.
        using var again = Open();
        Assert.Null(again.Skipped);
        Assert.Equal(_tuning.SeqBlock + 2, again.Add(Lane.Urgent, "event", s => Payload(s, 10)).Seq);
    }

    [Fact]
    public void Reopen_AfterKillPastSeveralBlocks_NeverReissuesASeq()
    {
        _tuning.SeqBlock = 10;
        var seen = new HashSet<long>();
        for (var run = 0; run < 5; run++)
        {
            var outbox = Open();
            for (var i = 0; i < 13; i++)
            {
                Assert.True(seen.Add(outbox.Add(i % 4 == 0 ? Lane.Urgent : Lane.Telemetry, "x", s => Payload(s, 10)).Seq));
            }

            outbox.Abandon();
        }

        Assert.Equal(65, seen.Count);
    }

    [Fact]
    public void Dispose_WhileDiskFull_NextStartAnnouncesTheUnsavedSeqs()
    {
        using (var outbox = Open())
        {
            outbox.Add(Lane.Urgent, "event", s => Payload(s));
            DiskFull(outbox);
            outbox.Add(Lane.Urgent, "event", s => Payload(s));
            outbox.Add(Lane.Telemetry, "telemetry", s => Payload(s));
        }

        using var reopened = Open();
        Assert.Equal(new SeqRange(2, _tuning.SeqBlock), reopened.Skipped);
        Assert.Equal([1], Stored(reopened, Lane.Urgent));
    }

    [Fact]
    public void SeqMark_NewerSlotTornByPowerCut_FallsBackToOlderMarkAboveEverySeqGiven()
    {
        _tuning.SeqBlock = 10;
        var outbox = Open();

        // Seq 1 reserves up to 10 (generation 1); seq 6 finds half the block used and reserves up to 20
        // (generation 2, the slot at offset 0).
        for (var i = 0; i < 6; i++)
        {
            outbox.Add(Lane.Urgent, "event", s => Payload(s, 10));
        }

        outbox.Abandon();

        // The power failed while generation 2 was being written: seqs above 10 were never given (the mark is
        // written before any seq in its block), so falling back to 10 reissues nothing.
        using (var file = new FileStream(_dir.File("outbox.seq"), FileMode.Open, FileAccess.Write))
        {
            file.Write(new byte[] { 0xff, 0xff, 0xff });
        }

        using var reopened = Open();
        Assert.Equal(new SeqRange(7, 10), reopened.Skipped);
        Assert.Equal(11, reopened.Add(Lane.Urgent, "event", s => Payload(s, 10)).Seq);
    }

    public void Dispose() => _dir.Dispose();
}
