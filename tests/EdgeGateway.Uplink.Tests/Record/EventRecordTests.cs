using System.Text;
using EdgeGateway.Uplink.Record;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Uplink.Tests.Record;

public sealed class EventRecordTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 7, 1, 3, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(Now);

    public void Dispose() => _dir.Dispose();

    private EventRecord Open() => new(_dir.File(EventRecord.FileName), _time, NullLogger.Instance);

    private static byte[] Payload(int seq, string type) => Encoding.UTF8.GetBytes($$"""{"seq":{{seq}},"type":"{{type}}"}""");

    [Fact]
    public void Read_OldestFirst_ByType_NewestWhenTruncated_AndKeptAcrossARestart()
    {
        using (var record = Open())
        {
            record.Add(Now, "alert", Payload(1, "alert"));
            record.Add(Now.AddSeconds(1), "self-test", Payload(2, "self-test"));
            record.Add(Now.AddSeconds(2), "alert", Payload(3, "alert"));
        }

        using var reopened = Open();
        var (all, truncated) = reopened.Read(Now.AddHours(-1), null, 10);
        Assert.False(truncated);
        Assert.Equal(["alert", "self-test", "alert"], all.Select(e => e.Type));
        Assert.Equal("""{"seq":1,"type":"alert"}""", all[0].Payload);
        Assert.Equal(Now, all[0].Time);

        var (alerts, _) = reopened.Read(Now.AddHours(-1), ["alert"], 10);
        Assert.Equal(["""{"seq":1,"type":"alert"}""", """{"seq":3,"type":"alert"}"""], alerts.Select(e => e.Payload));

        var (newest, cut) = reopened.Read(Now.AddHours(-1), null, 2);
        Assert.True(cut);
        Assert.Equal([2, 3], newest.Select(e => (int)e.Payload[7] - '0'));

        var (recent, _) = reopened.Read(Now.AddSeconds(1), null, 10);
        Assert.Equal(2, recent.Count);
    }

    [Fact]
    public void Add_ThirtyDaysLater_PrunesWhatIsOlderThanTheRetention()
    {
        using var record = Open();
        record.Add(Now, "alert", Payload(1, "alert"));
        _time.Advance(TimeSpan.FromDays(29));
        record.Add(_time.GetUtcNow(), "alert", Payload(2, "alert"));
        _time.Advance(TimeSpan.FromDays(2));
        record.Add(_time.GetUtcNow(), "alert", Payload(3, "alert"));

        var (kept, _) = record.Read(DateTimeOffset.UnixEpoch, null, 10);
        Assert.Equal(["""{"seq":2,"type":"alert"}""", """{"seq":3,"type":"alert"}"""], kept.Select(e => e.Payload));
    }

    [Fact]
    public void Add_DiskFull_NeverThrows_SaysSoOnce_AndRecordsAgainWhenSpaceReturns()
    {
        using var record = Open();
        var changes = new List<string?>();
        record.StorageChanged += changes.Add;
        record.Add(Now, "alert", Payload(1, "alert"));
        record.ExecForTests("VACUUM");
        var pages = (long)record.ExecForTests("PRAGMA page_count")!;
        record.ExecForTests($"PRAGMA max_page_count={pages}");
        var big = new byte[4096];
        Array.Fill(big, (byte)'x');

        for (var i = 0; i < 5; i++)
        {
            record.Add(Now, "alert", big);
        }

        Assert.Contains("full", Assert.Single(changes), StringComparison.OrdinalIgnoreCase);
        record.ExecForTests("PRAGMA max_page_count=1000000");
        record.Add(Now.AddSeconds(5), "self-test", Payload(2, "self-test"));

        Assert.Equal(2, changes.Count);
        Assert.Null(changes[1]);
        var (kept, _) = record.Read(DateTimeOffset.UnixEpoch, null, 10);
        Assert.Equal(["alert", "self-test"], kept.Select(e => e.Type));
    }

    [Fact]
    public void Open_OnAFileThatIsNotADatabase_Throws()
    {
        File.WriteAllText(_dir.File(EventRecord.FileName), "not a database, just text that is long enough to be read as a header");
        Assert.Throws<SqliteException>(Open);
    }
}
