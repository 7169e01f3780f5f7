using System.Text;
using System.Text.Json;
using EdgeGateway.Hub.Storage;
using EdgeGateway.Hub.Tests.Fixtures;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace EdgeGateway.Hub.Tests.Storage;

[CollectionDefinition("postgres")]
public sealed class PostgresFixtureGroup : ICollectionFixture<Postgres>;

/// <summary>The writer against a real PostgreSQL: once per (station, seq), gaps, rejects, status.</summary>
[Collection("postgres")]
public sealed class HubWriterTests(Postgres postgres, ITestOutputHelper output)
{
    private const string S = "wz-oh-lilong-01";

    private async Task<(NpgsqlDataSource Db, BatchStore Store)> OpenAsync()
    {
        var db = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync());
        await HubSchema.MigrateAsync(db, CancellationToken.None);
        // Migrations are idempotent: a second receiver starting finds the schema in place.
        await HubSchema.MigrateAsync(db, CancellationToken.None);
        var writer = new HubWriter(db, new FakeTimeProvider(Payloads.T0.AddMinutes(1)));
        await writer.PrepareAsync(CancellationToken.None);
        return (db, new BatchStore(writer, new MessageParser("ews"), NullLogger.Instance));
    }

    private static async Task<long> ScalarAsync(NpgsqlDataSource db, string sql)
    {
        await using var cmd = db.CreateCommand(sql);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Store_SameSeqsAgainInOneBatchAndLater_EachKeptOnce()
    {
        var (db, store) = await OpenAsync();
        await using var _ = db;
        var first = Enumerable.Range(1, 6).Select(i => i % 3 == 0 ? Payloads.Alert(S, i) : Payloads.Telemetry(S, i)).ToList();

        await store.StoreAsync([.. first, first[0], first[2]], CancellationToken.None);
        await store.StoreAsync(first, CancellationToken.None);

        Assert.Equal(6, await ScalarAsync(db, "SELECT count(*) FROM messages"));
        Assert.Equal(6, await ScalarAsync(db, "SELECT count(DISTINCT seq) FROM messages"));
        Assert.Equal(2, await ScalarAsync(db, "SELECT count(*) FROM alerts"));
        Assert.Equal(4 * 2, await ScalarAsync(db, "SELECT count(*) FROM readings"));
        Assert.Equal(6, await ScalarAsync(db, "SELECT last_seq FROM stations"));
        // The readings went to their day's partition, not the default one.
        Assert.Equal(0, await ScalarAsync(db, "SELECT count(*) FROM readings_default"));
    }

    [Fact]
    public async Task Store_FiftyStationsTwoHundredBatches_EveryReadingOnce_ReportsRate()
    {
        var (db, store) = await OpenAsync();
        await using var _ = db;
        // 50 stations x 40 telemetry messages x 10 readings, in batches of 100 as a receiver takes them.
        var all = Enumerable.Range(1, 40).SelectMany(seq => Enumerable.Range(0, 50).Select(st => Payloads.Telemetry($"st-{st:D3}", seq, readings: 10))).ToList();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var batch in all.Chunk(100))
        {
            await store.StoreAsync(batch, CancellationToken.None);
        }

        clock.Stop();
        Assert.Equal(20_000, await ScalarAsync(db, "SELECT count(*) FROM readings"));
        Assert.Equal(2_000, await ScalarAsync(db, "SELECT count(*) FROM messages"));
        Assert.Equal(0, await ScalarAsync(db, "SELECT count(*) FROM seq_gaps"));
        output.WriteLine($"{all.Count} messages, 20000 readings in {clock.Elapsed.TotalSeconds:F2} s: {all.Count / clock.Elapsed.TotalSeconds:F0} messages/s, {20_000 / clock.Elapsed.TotalSeconds:F0} readings/s");
    }

    [Fact]
    public async Task Store_SeqGap_RecordedThenClosedWhenFilled()
    {
        var (db, store) = await OpenAsync();
        await using var _ = db;

        await store.StoreAsync([Payloads.Event(S, 1), Payloads.Event(S, 2), Payloads.Event(S, 6)], CancellationToken.None);
        var open = (await HubStatus.ReadAsync(db, CancellationToken.None)).Single();
        Assert.Equal([new GapView(3, 5)], open.Gaps);

        await store.StoreAsync([Payloads.Event(S, 4)], CancellationToken.None);
        Assert.Equal([new GapView(3, 3), new GapView(5, 5)], (await HubStatus.ReadAsync(db, CancellationToken.None)).Single().Gaps);

        await store.StoreAsync([Payloads.Event(S, 3), Payloads.Event(S, 5)], CancellationToken.None);
        var filled = (await HubStatus.ReadAsync(db, CancellationToken.None)).Single();
        Assert.Empty(filled.Gaps);
        Assert.Equal(6, filled.LastSeq);
        Assert.Equal(0, await ScalarAsync(db, "SELECT count(*) FROM seq_gaps WHERE closed IS NULL"));
        Assert.True(await ScalarAsync(db, "SELECT count(*) FROM seq_gaps WHERE closed IS NOT NULL") >= 1);
    }

    [Fact]
    public async Task Store_BadMessagesAmongGood_GoToRejectedAndTheRestIsStored()
    {
        var (db, store) = await OpenAsync();
        await using var _ = db;
        Incoming[] batch =
        [
            Payloads.Event(S, 1),
            new($"ews/{S}/telemetry", Encoding.UTF8.GetBytes("{not json")),
            new($"ews/{S}/weather", Encoding.UTF8.GetBytes("{}")),
            new($"ews/{S}/event", Encoding.UTF8.GetBytes($$"""{"station":"{{S}}","id":"{{Guid.NewGuid()}}","time":"2026-07-01T03:00:00.000Z","seq":"two","type":"tamper"}""")),
            Payloads.Event(S, 2),
        ];

        await store.StoreAsync(batch, CancellationToken.None);
        await store.StoreAsync([Payloads.Event(S, 3)], CancellationToken.None);

        Assert.Equal(3, await ScalarAsync(db, "SELECT count(*) FROM events"));
        Assert.Equal(3, await ScalarAsync(db, "SELECT count(*) FROM rejected"));
        await using var cmd = db.CreateCommand("SELECT string_agg(reason, '|' ORDER BY rejected_id) FROM rejected");
        var reasons = (string)(await cmd.ExecuteScalarAsync())!;
        Assert.Contains("not JSON", reasons, StringComparison.Ordinal);
        Assert.Contains("unknown kind 'weather'", reasons, StringComparison.Ordinal);
        Assert.Contains("seq: expected an integer", reasons, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_BirthThenWill_OnlineThenOffline_JsonShape()
    {
        var (db, store) = await OpenAsync();
        await using var _ = db;

        await store.StoreAsync([Payloads.Status(S, "online"), Payloads.Event(S, 1), Payloads.Event(S, 3)], CancellationToken.None);
        Assert.Equal("online", (await HubStatus.ReadAsync(db, CancellationToken.None)).Single().State);
        await store.StoreAsync([Payloads.Status(S, "offline")], CancellationToken.None);

        var json = HubStatus.ToJson(await HubStatus.ReadAsync(db, CancellationToken.None));
        using var doc = JsonDocument.Parse(json);
        var station = Assert.Single(doc.RootElement.GetProperty("stations").EnumerateArray().ToList());
        Assert.Equal(["id", "state", "lastSeen", "lastSeq", "gaps"], station.EnumerateObject().Select(p => p.Name));
        Assert.Equal(S, station.GetProperty("id").GetString());
        Assert.Equal("offline", station.GetProperty("state").GetString());
        Assert.Equal(Payloads.T0.AddMinutes(1), station.GetProperty("lastSeen").GetDateTimeOffset());
        Assert.Equal(3, station.GetProperty("lastSeq").GetInt64());
        var gap = Assert.Single(station.GetProperty("gaps").EnumerateArray().ToList());
        Assert.Equal(["from", "to"], gap.EnumerateObject().Select(p => p.Name));
        Assert.Equal((2, 2), (gap.GetProperty("from").GetInt64(), gap.GetProperty("to").GetInt64()));
    }

    [Fact]
    public async Task Store_TwoWritersRacingOnTheSameStations_EveryRowOnceNoGapNoDeadlock()
    {
        var (db, _) = await OpenAsync();
        await using var __ = db;
        var parser = new MessageParser("ews");
        // Two receivers (each its own writer): "main" takes every message in arrival order, in batches that
        // span every station; "urgent" takes every alert and a share of the telemetry again, shuffled. Each
        // (station, seq) is offered to both at about the same moment, as two lanes and two receivers are.
        const int Stations = 30, Seqs = 80;
        var all = Enumerable.Range(1, Seqs).SelectMany(seq => Enumerable.Range(0, Stations).Select(st =>
            (Seq: seq, Message: seq % 4 == 0 ? Payloads.Alert($"st-{st:D2}", seq) : Payloads.Telemetry($"st-{st:D2}", seq, readings: 3)))).ToList();
        var random = new Random(21);
        var again = all.Where(m => m.Seq % 4 == 0 || random.Next(3) > 0).Select(m => m.Message).OrderBy(_ => random.Next()).ToList();
        async Task WriteAsync(IEnumerable<Incoming> messages, int batchSize)
        {
            var writer = new HubWriter(db, new FakeTimeProvider(Payloads.T0.AddMinutes(1)));
            foreach (var batch in messages.Chunk(batchSize))
            {
                // The writer itself, not BatchStore: a deadlock or a refused batch must fail the test, not be retried.
                await writer.WriteAsync([.. batch.Select(m => parser.Parse(m).Message!)], [], CancellationToken.None);
            }
        }

        await Task.WhenAll(
            Task.Run(() => WriteAsync(all.Select(m => m.Message), 3 * Stations)),
            Task.Run(() => WriteAsync(again, 2 * Stations)));

        var alerts = Stations * (Seqs / 4);
        var telemetry = (Stations * Seqs) - alerts;
        Assert.Equal(Stations * Seqs, await ScalarAsync(db, "SELECT count(*) FROM messages"));
        Assert.Equal(alerts, await ScalarAsync(db, "SELECT count(*) FROM alerts"));
        Assert.Equal(telemetry * 3, await ScalarAsync(db, "SELECT count(*) FROM readings"));
        Assert.Equal(telemetry * 3, await ScalarAsync(db, "SELECT count(*) FROM (SELECT DISTINCT station, seq, sensor FROM readings) d"));
        Assert.Equal(0, await ScalarAsync(db, "SELECT count(*) FROM seq_gaps WHERE closed IS NULL"));
        Assert.Equal(Stations, await ScalarAsync(db, $"SELECT count(*) FROM stations WHERE last_seq = {Seqs}"));
        Assert.Equal(0, await ScalarAsync(db, "SELECT count(*) FROM rejected"));
    }
}
