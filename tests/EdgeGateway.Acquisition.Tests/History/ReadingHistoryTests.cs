using EdgeGateway.Acquisition.History;
using EdgeGateway.Core.Monitoring;
using EdgeGateway.Core.Readings;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Acquisition.Tests.History;

public sealed class ReadingHistoryTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 7, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(Start);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void LoadRecent_AfterRestartOnSameFile_LastWindowRestored()
    {
        var options = Options();
        var written = new List<Reading>();
        using (var history = new ReadingHistory(options, _time))
        {
            // 30 hours of a 5-minute level and a tip every 10 minutes, one fault.
            for (var t = Start; t < Start + TimeSpan.FromHours(30); t += TimeSpan.FromMinutes(5))
            {
                var level = t.Minute == 35 && t.Hour == 20
                    ? new Reading("river-level", t, double.NaN, Quality.CommFault)
                    : new Reading("river-level", t, 2 + (t - Start).TotalHours / 100, Quality.Good);
                written.Add(level);
                history.Record(level);
                if (t.Minute % 10 == 0)
                {
                    var tip = new Reading("rain-gauge", t + TimeSpan.FromSeconds(3), 0.5, Quality.Good);
                    written.Add(tip);
                    history.Record(tip);
                }

                if (t.Minute == 0)
                {
                    Assert.True(history.Flush());
                }
            }

            _time.SetUtcNow(Start + TimeSpan.FromHours(30));
        }

        // A new process: the same file, nothing in memory.
        using var restarted = new ReadingHistory(options, _time);
        var recent = restarted.LoadRecent(TimeSpan.FromHours(24));

        var since = _time.GetUtcNow() - TimeSpan.FromHours(24);
        var expectedRain = written.Where(r => r.SensorId == "rain-gauge" && r.Time >= since).ToList();
        var expectedLevel = written.Where(r => r.SensorId == "river-level" && r.Time >= since).ToList();
        Assert.Equal(expectedRain, recent["rain-gauge"]);
        Assert.Equal(72.0, recent["rain-gauge"].Sum(r => r.Value));
        Assert.Equal(expectedLevel.Count, recent["river-level"].Count);
        Assert.Equal(expectedLevel.Select(r => (r.Time, r.Quality)), recent["river-level"].Select(r => (r.Time, r.Quality)));
        var fault = Assert.Single(recent["river-level"], r => r.Quality == Quality.CommFault);
        Assert.True(double.IsNaN(fault.Value));
    }

    [Fact]
    public void Record_BeforeFlush_NotInFileThenOneTransaction()
    {
        using var history = new ReadingHistory(Options(), _time);
        for (var i = 0; i < 20; i++)
        {
            history.Record(new Reading("river-level", Start + TimeSpan.FromSeconds(5 * i), 2.5, Quality.Good));
        }

        Assert.Equal(0, history.Count());
        Assert.Equal(20, history.Pending);

        Assert.True(history.Flush());

        Assert.Equal(20, history.Count());
        Assert.Equal(1, history.BatchesWritten);
        Assert.Equal(0, history.Pending);
    }

    [Fact]
    public void LoadRecent_PendingNotYetWritten_Included()
    {
        using var history = new ReadingHistory(Options(), _time);
        history.Record(new Reading("rain-gauge", Start, 0.5, Quality.Good));
        history.Flush();
        history.Record(new Reading("rain-gauge", Start + TimeSpan.FromSeconds(1), 0.5, Quality.Good));

        Assert.Equal(2, history.LoadRecent(TimeSpan.FromHours(1))["rain-gauge"].Count);
    }

    [Fact]
    public void LoadRecent_OnlyTheSensorsAsked_FromFileAndQueue()
    {
        using var history = new ReadingHistory(Options(), _time);
        history.Record(new Reading("rain-gauge", Start, 0.5, Quality.Good));
        history.Record(new Reading("river-level", Start, 2.5, Quality.Good));
        history.Flush();
        history.Record(new Reading("rain-gauge", Start + TimeSpan.FromSeconds(1), 0.5, Quality.Good));
        history.Record(new Reading("river-level", Start + TimeSpan.FromSeconds(1), 2.6, Quality.Good));

        var rain = history.LoadRecent(TimeSpan.FromHours(1), ["rain-gauge"]);
        var unknown = history.LoadRecent(TimeSpan.FromHours(1), ["no-such-sensor"]);

        Assert.Equal(["rain-gauge"], rain.Keys);
        Assert.Equal(2, rain["rain-gauge"].Count);
        Assert.Empty(unknown);
    }

    [Fact]
    public void Prune_OlderThanRetention_Deleted()
    {
        using var history = new ReadingHistory(Options(retention: TimeSpan.FromDays(2)), _time);
        for (var h = 0; h < 72; h++)
        {
            history.Record(new Reading("battery", Start + TimeSpan.FromHours(h), 12.5, Quality.Good));
        }

        history.Flush();
        _time.SetUtcNow(Start + TimeSpan.FromHours(72));

        Assert.Equal(24, history.Prune());
        Assert.Equal(48, history.Count());
        Assert.Equal(Start + TimeSpan.FromHours(24), history.LoadRecent(TimeSpan.FromDays(30))["battery"][0].Time);
    }

    [Fact]
    public void LastCounter_AfterRestart_LatestRawOfThatSensor()
    {
        var options = Options();
        using (var history = new ReadingHistory(options, _time))
        {
            history.Record(new Reading("rain-counter", Start, 0, Quality.Good), raw: 5000);
            history.Record(new Reading("rain-counter", Start + TimeSpan.FromSeconds(10), 0.3, Quality.Good), raw: 5003);
            history.Record(new Reading("river-level", Start + TimeSpan.FromSeconds(11), 2.0, Quality.Good));
            history.Record(new Reading("rain-counter", Start + TimeSpan.FromSeconds(20), double.NaN, Quality.CommFault));
        }

        using var restarted = new ReadingHistory(options, _time);
        Assert.Equal((5003d, Start + TimeSpan.FromSeconds(10)), restarted.LastCounter("rain-counter"));
        Assert.Null(restarted.LastCounter("river-level"));
        Assert.Null(restarted.LastCounter("unknown"));
    }

    [Fact]
    public void Flush_FileCannotBeWritten_ReadingsKeptForNextTry()
    {
        // A path under a regular file can never be created.
        var blocker = _dir.File("not-a-directory");
        File.WriteAllText(blocker, "x");
        using var history = new ReadingHistory(new HistoryOptions { Path = Path.Combine(blocker, "history.db") }, _time);
        history.Record(new Reading("river-level", Start, 2.5, Quality.Good));

        Assert.False(history.Flush());
        Assert.Equal(1, history.Pending);
        Assert.Single(history.LoadRecent(TimeSpan.FromHours(1))["river-level"]);
    }

    [Fact]
    public void Flush_FileCannotBeWrittenThenCan_ReportsFaultAndRecoveryAndKeepsReadings()
    {
        var blocker = _dir.File("not-yet-a-directory");
        File.WriteAllText(blocker, "x");
        var storage = new StorageHealth(_time);
        var changes = new List<StorageChange>();
        storage.Changed += changes.Add;
        using var history = new ReadingHistory(new HistoryOptions { Path = Path.Combine(blocker, "history.db") }, _time) { Storage = storage };
        history.Record(new Reading("river-level", Start, 2.5, Quality.Good));

        Assert.False(history.Flush());
        Assert.Equal(ReadingHistory.StoreName, Assert.Single(storage.Faults).Store);

        // The way to the file clears: the next flush writes what waited and ends the fault.
        File.Delete(blocker);
        Directory.CreateDirectory(blocker);
        history.Record(new Reading("river-level", Start.AddSeconds(1), 2.6, Quality.Good));
        Assert.True(history.Flush());
        Assert.Empty(storage.Faults);
        Assert.Equal(2, history.Count());
        Assert.Equal([true, false], changes.Select(c => c.Fault is not null));
    }

    [Fact]
    public async Task RunAsync_BatchFull_WrittenWithoutWaitingForTheInterval()
    {
        using var history = new ReadingHistory(Options(flushCount: 50), _time);
        var written = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        history.BatchWritten += n => written.TrySetResult(n);
        using var cts = new CancellationTokenSource();
        var run = history.RunAsync(cts.Token);

        for (var i = 0; i < 50; i++)
        {
            history.Record(new Reading("river-level", Start, i, Quality.Good));
        }

        Assert.Equal(50, await written.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        await cts.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task RunAsync_Cancelled_FinalFlush()
    {
        using var history = new ReadingHistory(Options(), _time);
        using var cts = new CancellationTokenSource();
        var run = history.RunAsync(cts.Token);
        history.Record(new Reading("river-level", Start, 1, Quality.Good));

        await cts.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, history.Count());
    }

    [Fact]
    public void Flush_SameMillisecondAndOlderThanLastRow_AllKeptInTimeOrder()
    {
        using var history = new ReadingHistory(Options(), _time);
        var t = Start + TimeSpan.FromMinutes(1);
        history.Record(new Reading("river-level", t, 1, Quality.Good));
        history.Record(new Reading("rain-counter", t, 2, Quality.Good));
        history.Flush();

        // A tip stamped at its edge, before the readings already written, and two more in the same millisecond.
        history.Record(new Reading("rain-gauge", t - TimeSpan.FromMilliseconds(3), 0.5, Quality.Good));
        history.Record(new Reading("rain-gauge", t, 0.5, Quality.Good));
        history.Record(new Reading("flood-switch", t, 0, Quality.Good));
        history.Flush();

        Assert.Equal(5, history.Count());
        var all = history.LoadRecent(TimeSpan.FromHours(1));
        Assert.Equal([t - TimeSpan.FromMilliseconds(3), t], all["rain-gauge"].Select(r => r.Time));
        Assert.Equal(t, Assert.Single(all["flood-switch"]).Time);
    }

    [Fact]
    public void Open_SchemaOneFile_ReadingsCarriedOver()
    {
        var path = _dir.File("history.db");
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"""
                CREATE TABLE sensors(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
                CREATE TABLE readings(sensor INTEGER NOT NULL, time INTEGER NOT NULL, value REAL, quality INTEGER NOT NULL, raw REAL);
                CREATE INDEX readings_time ON readings(time);
                INSERT INTO sensors VALUES (1, 'rain-counter');
                INSERT INTO readings VALUES (1, {Start.ToUnixTimeMilliseconds()}, 0, 0, 5000), (1, {Start.ToUnixTimeMilliseconds() + 10_000}, 0.3, 0, 5003);
                PRAGMA user_version=1;
                """;
            command.ExecuteNonQuery();
        }

        _time.SetUtcNow(Start + TimeSpan.FromMinutes(1));
        using var history = new ReadingHistory(Options(), _time);

        Assert.Equal([0, 0.3], history.LoadRecent(TimeSpan.FromHours(1))["rain-counter"].Select(r => r.Value));
        Assert.Equal((5003d, Start + TimeSpan.FromSeconds(10)), history.LastCounter("rain-counter"));
    }

    private HistoryOptions Options(TimeSpan? retention = null, int flushCount = 512) => new()
    {
        Path = _dir.File("history.db"),
        Retention = retention ?? TimeSpan.FromDays(8),
        FlushCount = flushCount,
    };
}
