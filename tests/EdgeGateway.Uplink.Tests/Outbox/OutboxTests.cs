using System.Text;
using EdgeGateway.Uplink.Outbox;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Uplink.Tests.Outbox;

public sealed class OutboxTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 7, 1, 3, 0, 0, TimeSpan.Zero));

    private Uplink.Outbox.Outbox Open(long limit = 1 << 30, OutboxTuning? tuning = null) =>
        new(_dir.File("outbox.db"), limit, tuning ?? new OutboxTuning(), _time);

    private static byte[] Payload(long seq, int size = 20) =>
        Encoding.UTF8.GetBytes($"{{\"seq\":{seq},\"pad\":\"{new string('x', size)}\"}}");

    [Fact]
    public void Add_UrgentMessage_IsReadableAtOnceAndSurvivesReopen()
    {
        using (var outbox = Open())
        {
            var m = outbox.Add(Lane.Urgent, "alert", s => Payload(s));
            Assert.Equal(1, m.Seq);
            Assert.Single(outbox.Read(Lane.Urgent, 0, 10));
        }

        using var reopened = Open();
        var row = Assert.Single(reopened.Read(Lane.Urgent, 0, 10));
        Assert.Equal("alert", row.Topic);
        Assert.Equal(Payload(1), row.Payload);
    }

    [Fact]
    public void Add_Telemetry_IsNotPublishableUntilFlushIntervalPasses()
    {
        using var outbox = Open();
        outbox.Add(Lane.Telemetry, "telemetry", s => Payload(s));
        Assert.Empty(outbox.Read(Lane.Telemetry, 0, 10));
        Assert.False(outbox.Flush());
        _time.Advance(new OutboxTuning().TelemetryFlushInterval - TimeSpan.FromSeconds(1));
        Assert.False(outbox.Flush());
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(outbox.Flush());
        Assert.Single(outbox.Read(Lane.Telemetry, 0, 10));
    }

    [Fact]
    public void Add_UrgentAfterTelemetry_WritesWaitingTelemetryInTheSameCommit()
    {
        using var outbox = Open();
        outbox.Add(Lane.Telemetry, "telemetry", s => Payload(s));
        outbox.Add(Lane.Urgent, "event", s => Payload(s));
        Assert.Equal(1, Assert.Single(outbox.Read(Lane.Telemetry, 0, 10)).Seq);
        Assert.Equal(2, Assert.Single(outbox.Read(Lane.Urgent, 0, 10)).Seq);
    }

    [Fact]
    public void Seq_AfterEverythingDeletedAndReopened_IsNeverReused()
    {
        using (var outbox = Open())
        {
            for (var i = 0; i < 5; i++)
            {
                outbox.Add(Lane.Urgent, "event", s => Payload(s));
            }

            outbox.DeleteUpTo(Lane.Urgent, 5);
            Assert.Equal(0, outbox.Count);
        }

        using var reopened = Open();
        Assert.Equal(5, reopened.LastSeq);
        Assert.Equal(6, reopened.Add(Lane.Urgent, "event", s => Payload(s)).Seq);
    }

    [Fact]
    public void Seq_InterleavedLanes_StrictlyIncreasesAcrossBoth()
    {
        using var outbox = Open();
        var seqs = new List<long>();
        for (var i = 0; i < 10; i++)
        {
            seqs.Add(outbox.Add(i % 3 == 0 ? Lane.Urgent : Lane.Telemetry, "x", s => Payload(s)).Seq);
        }

        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), seqs);
        outbox.Flush(force: true);
        Assert.Equal([1L, 4, 7, 10], outbox.Read(Lane.Urgent, 0, 100).Select(m => m.Seq));
        Assert.Equal([2L, 3, 5, 6, 8, 9], outbox.Read(Lane.Telemetry, 0, 100).Select(m => m.Seq));
    }

    [Fact]
    public void DeleteUpTo_RemovesOnlyThatLaneUpToSeq()
    {
        using var outbox = Open();
        for (var i = 0; i < 6; i++)
        {
            outbox.Add(i % 2 == 0 ? Lane.Urgent : Lane.Telemetry, "x", s => Payload(s));
        }

        outbox.Flush(force: true);
        outbox.DeleteUpTo(Lane.Telemetry, 4);
        Assert.Equal([6L], outbox.Read(Lane.Telemetry, 0, 100).Select(m => m.Seq));
        Assert.Equal(3, outbox.Read(Lane.Urgent, 0, 100).Count);
        Assert.Equal(4, outbox.Count);
    }

    [Fact]
    public void Add_PastQueueLimit_DropsOldestTelemetryOnlyAndReportsRanges()
    {
        using var outbox = Open(limit: 2000, new OutboxTuning { TelemetryFlushCount = 1 });
        TelemetryDrop? drop = null;
        outbox.TelemetryDropped += d => drop ??= d;
        outbox.Add(Lane.Urgent, "alert", s => Payload(s, 100));
        for (var i = 0; i < 40 && drop is null; i++)
        {
            outbox.Add(Lane.Telemetry, "telemetry", s => Payload(s, 100));
        }

        Assert.NotNull(drop);
        Assert.True(outbox.Bytes <= 2000);
        Assert.Single(outbox.Read(Lane.Urgent, 0, 100));
        var first = Assert.Single(drop.Ranges);
        Assert.Equal(2, first.First);
        Assert.Equal(drop.Count, first.Count);
        var oldestLeft = outbox.Read(Lane.Telemetry, 0, 1)[0].Seq;
        Assert.Equal(first.Last + 1, oldestLeft);
    }

    [Fact]
    public void Add_PastQueueLimitWithAlertsInBetween_RangesSkipTheKeptAlerts()
    {
        using var outbox = Open(limit: 1500, new OutboxTuning { TelemetryFlushCount = 1 });
        TelemetryDrop? drop = null;
        outbox.TelemetryDropped += d => drop ??= d;
        for (var i = 0; i < 40 && drop is null; i++)
        {
            outbox.Add(i == 1 ? Lane.Urgent : Lane.Telemetry, "x", s => Payload(s, 100));
        }

        Assert.NotNull(drop);
        Assert.Equal(new SeqRange(1, 1), drop.Ranges[0]);
        Assert.Equal(3, drop.Ranges[1].First);
        Assert.Equal(2, Assert.Single(outbox.Read(Lane.Urgent, 0, 10)).Seq);
    }

    [Fact]
    public void Dispose_WithTelemetryWaiting_WritesIt()
    {
        using (var outbox = Open())
        {
            outbox.Add(Lane.Telemetry, "telemetry", s => Payload(s));
        }

        using var reopened = Open();
        Assert.Single(reopened.Read(Lane.Telemetry, 0, 10));
    }

    public void Dispose() => _dir.Dispose();
}
