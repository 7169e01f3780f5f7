using System.Text.Json.Nodes;
using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Events;
using EdgeGateway.Core.Monitoring;
using EdgeGateway.Uplink.Record;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Uplink.Tests.Record;

public sealed class StandaloneRecordTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 7, 1, 3, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(Now);

    public void Dispose() => _dir.Dispose();

    private static readonly AlertLevels Levels = new([new AlertLevel("warning") { Severity = "Severe" }]);

    private StandaloneRecord Open(StorageHealth? storage = null) => new(
        "st-1", Levels, _dir.Path, _time, NullLogger.Instance, storage);

    private static List<JsonNode> All(StandaloneRecord record) =>
        [.. record.Record!.Read(DateTimeOffset.UnixEpoch, null, 100).Events.Select(e => JsonNode.Parse(e.Payload)!)];

    [Fact]
    public void Add_PayloadsAsTheHubsWithTheLevelsSeverity_SeqGoesOnAfterAReopen()
    {
        using (var record = Open())
        {
            record.Add(new LevelTransition(Now, TransitionScope.Rule, "river", Levels.Get("none"), Levels.Get("warning"), 2.5, 2));
            record.Add(new StationEvent("self-test", Now.AddSeconds(1), "speaker", "passed"));
        }

        using var reopened = Open();
        reopened.Add(new LevelTransition(Now.AddSeconds(2), TransitionScope.Rule, "river", Levels.Get("warning"), Levels.Get("none"), 1.5, 2));
        var entries = All(reopened);

        Assert.Equal([1L, 2L, 3L], entries.Select(e => e["seq"]!.GetValue<long>()));
        Assert.Equal(["st-1"], entries.Select(e => e["station"]!.GetValue<string>()).Distinct());
        Assert.Equal(3, entries.Select(e => e["id"]!.GetValue<string>()).Distinct().Count());
        Assert.Equal("Severe", entries[0]["severity"]!.GetValue<string>());
        Assert.Equal("Minor", entries[2]["severity"]!.GetValue<string>());
        Assert.Equal(["station", "id", "time", "seq", "type", "source", "message"], entries[1].AsObject().Select(p => p.Key));
        Assert.Equal(
            [EventRecord.AlertType, "self-test", EventRecord.AlertType],
            reopened.Record!.Read(DateTimeOffset.UnixEpoch, null, 100).Events.Select(e => e.Type));
    }

    [Fact]
    public void Open_OnAFileThatIsNotADatabase_NoRecord_AndAddsDoNotThrow()
    {
        File.WriteAllText(_dir.File(EventRecord.FileName), "not a database, just text that is long enough to be read as a header");
        using var record = Open();

        record.Add(new StationEvent("self-test", Now));

        Assert.Null(record.Record);
    }

    [Fact]
    public void Add_DiskFull_IsAStorageFaultOfTheEventsStore()
    {
        var storage = new StorageHealth(_time);
        using var record = Open(storage);
        record.Add(new StationEvent("self-test", Now));
        record.Record!.ExecForTests("VACUUM");
        record.Record.ExecForTests($"PRAGMA max_page_count={(long)record.Record.ExecForTests("PRAGMA page_count")!}");

        for (var i = 0; i < 5; i++)
        {
            record.Add(new StationEvent("self-test", Now, Message: new string('x', 4096)));
        }

        Assert.Equal(EventRecord.StoreName, Assert.Single(storage.Faults).Store);
    }
}
