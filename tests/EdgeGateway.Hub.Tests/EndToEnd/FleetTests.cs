using System.Globalization;
using EdgeGateway.Core.Alerting;
using EdgeGateway.Hub.Tests.Fixtures;
using Npgsql;

namespace EdgeGateway.Hub.Tests.EndToEnd;

[CollectionDefinition("fleet")]
public sealed class FleetFixtureGroup : ICollectionFixture<Postgres>, ICollectionFixture<RabbitCluster>;

/// <summary>
/// Stations publishing through RabbitMQ's MQTT plugin (a real node), receivers consuming the quorum queue,
/// PostgreSQL holding the result: every seq once, whatever the receivers do.
/// </summary>
[Collection("fleet")]
public sealed class FleetTests(Postgres postgres, RabbitCluster rabbit)
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(90);

    private async Task<HubOptions> HubAsync(string queue)
    {
        var options = new HubOptions { Prefix = "ews", Postgres = await postgres.CreateDatabaseAsync(), Amqp = new AmqpOptions { Queue = queue, Password = "guest", Prefetch = 20 } };
        options.Amqp.Hosts.Add(("127.0.0.1", rabbit.AmqpPort(1)));
        options.Amqp.ReconnectDelay = TimeSpan.FromMilliseconds(200);
        return options;
    }

    internal static async Task<long> ScalarAsync(string connection, string sql)
    {
        await using var db = NpgsqlDataSource.Create(connection);
        await using var cmd = db.CreateCommand(sql);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync() ?? 0L, CultureInfo.InvariantCulture);
    }

    // Waits on the database reaching what the station has sent (PostgreSQL has no event to wait on).
    internal static Task WaitStoredAsync(string connection, string station, long lastSeq) =>
        Eventually.TrueAsync(
            async () => await ScalarAsync(connection, $"SELECT count(*) FROM messages WHERE station = '{station}'") >= lastSeq,
            Long,
            async () =>
            {
                await using var db = NpgsqlDataSource.Create(connection);
                await using var cmd = db.CreateCommand($"""
                    SELECT (SELECT string_agg(s::text, ',') FROM generate_series(1, {lastSeq}) s
                            WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.station = '{station}' AND m.seq = s))
                        || ' | rejected: ' || coalesce((SELECT string_agg(reason, '; ') FROM rejected), 'none')
                    """);
                return $"seqs missing: {await cmd.ExecuteScalarAsync()}";
            },
            TimeSpan.FromMilliseconds(100));

    // Waits on the receiver being part-way through a backlog (PostgreSQL has no event to wait on).
    internal static Task WaitMessagesAsync(string connection, long atLeast, TimeSpan timeout) =>
        Eventually.TrueAsync(
            async () => await ScalarAsync(connection, "SELECT count(*) FROM messages") >= atLeast,
            timeout,
            async () => $"{await ScalarAsync(connection, "SELECT count(*) FROM messages")} of {atLeast} messages stored",
            Eventually.Interval);

    internal static async Task AssertEverySeqOnceAsync(string connection, string station, long lastSeq)
    {
        Assert.Equal(lastSeq, await ScalarAsync(connection, $"SELECT count(*) FROM messages WHERE station = '{station}'"));
        Assert.Equal(lastSeq, await ScalarAsync(connection, $"SELECT count(DISTINCT seq) FROM messages WHERE station = '{station}'"));
        Assert.Equal(lastSeq, await ScalarAsync(connection, $"SELECT max(seq) FROM messages WHERE station = '{station}'"));
        Assert.Equal(lastSeq, await ScalarAsync(connection, $"SELECT last_seq FROM stations WHERE id = '{station}'"));
        Assert.Equal(0, await ScalarAsync(connection, $"SELECT count(*) FROM seq_gaps WHERE station = '{station}' AND closed IS NULL"));
    }

    [Fact]
    public async Task AlertBehindATelemetryBacklog_UrgentLane_StoredBeforeTheBacklogIsDrained()
    {
        var hub = await HubAsync("edge-hub-urgent");
        await (await Receiver.StartAsync(hub)).DisposeAsync(); // declares both queues and their bindings
        const int backlog = 3000;
        var factory = new RabbitMQ.Client.ConnectionFactory { Port = rabbit.AmqpPort(1), UserName = "guest", Password = "guest" };
        await using (var connection = await factory.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync(new RabbitMQ.Client.CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
        {
            var persistent = new RabbitMQ.Client.BasicProperties { Persistent = true };
            for (var seq = 1; seq <= backlog + 1; seq++)
            {
                var message = seq <= backlog ? Payloads.Telemetry("urgent-01", seq) : Payloads.Alert("urgent-01", seq);
                await channel.BasicPublishAsync("amq.topic", message.Topic.Replace('/', '.'), mandatory: false, persistent, message.Body);
            }
        }

        await using var receiver = await Receiver.StartAsync(hub);
        await WaitStoredAsync(hub.Postgres, "urgent-01", backlog + 1);

        // In one first-in-first-out queue the alert would be in the last batch written; its lane wrote it
        // while the telemetry before it was still being drained.
        var alertStored = await ScalarAsync(hub.Postgres, "SELECT (extract(epoch FROM received) * 1000000)::bigint FROM alerts");
        var lastTelemetry = await ScalarAsync(hub.Postgres, "SELECT (extract(epoch FROM max(received)) * 1000000)::bigint FROM messages WHERE kind = 'telemetry'");
        Assert.True(alertStored < lastTelemetry, $"alert stored at {alertStored}, last telemetry at {lastTelemetry} (µs)");
        await AssertEverySeqOnceAsync(hub.Postgres, "urgent-01", backlog + 1);
        Assert.Equal(1, await ScalarAsync(hub.Postgres, "SELECT count(*) FROM alerts"));
    }

    [Fact]
    public async Task StationThroughRabbitMqtt_TwoReceiversSharingTheQueue_EverySeqOnce()
    {
        var hub = await HubAsync("edge-hub-share");
        await using var first = await Receiver.StartAsync(hub);
        await using var second = await Receiver.StartAsync(hub);
        await using var station = new Station("fleet-share-01", rabbit.MqttPort(1));
        await station.StartAsync();

        for (var i = 0; i < 200; i++)
        {
            station.Event(i);
            if (i % 50 == 0)
            {
                station.Service.EnqueueAlert(new LevelTransition(TimeProvider.System.GetUtcNow(), TransitionScope.Rule, "river", AlertLevels.None, new AlertLevel("watch") { Rank = 1 }, 3.3, 3.2));
            }

            station.Service.EnqueueTelemetry([new EdgeGateway.Core.Readings.Reading("river-level", TimeProvider.System.GetUtcNow(), 2 + (i / 100.0), EdgeGateway.Core.Readings.Quality.Good)]);
        }

        await station.Connected.Task;
        var connection = hub.Postgres;
        await Eventually.TrueAsync(
            async () => station.Service.Status.QueueDepth == 0 && await ScalarAsync(connection, "SELECT count(*) FROM readings") >= 200,
            Long,
            async () => $"queue {station.Service.Status.QueueDepth}, {await ScalarAsync(connection, "SELECT count(*) FROM readings")} of 200 readings stored",
            TimeSpan.FromMilliseconds(100));

        var last = station.Service.Status.LastSeq;
        await WaitStoredAsync(connection, "fleet-share-01", last);

        await AssertEverySeqOnceAsync(connection, "fleet-share-01", last);
        Assert.Equal(200, await ScalarAsync(connection, "SELECT count(*) FROM events WHERE message LIKE 'event %'"));
        Assert.Equal(4, await ScalarAsync(connection, "SELECT count(*) FROM alerts"));
        Assert.Equal(4, await ScalarAsync(connection, "SELECT count(*) FROM alert_caps WHERE event = 'Flood'"));
        Assert.Equal(200, await ScalarAsync(connection, "SELECT count(*) FROM readings"));
        Assert.Equal(1, await ScalarAsync(connection, "SELECT count(*) FROM stations WHERE state = 'online'"));
        Assert.Equal(0, await ScalarAsync(connection, "SELECT count(*) FROM rejected"));
    }

    [Fact]
    [Trait("Category", "Faults")]
    public async Task ReceiverProcessKilledNineMidRun_Restarted_NoLossNoDuplicate()
    {
        var hub = await HubAsync("edge-hub-kill");
        var yaml = Path.Combine(Path.GetTempPath(), $"edgegw-hub-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(yaml, $"""
            hub:
              amqp:
                hosts: ["127.0.0.1:{rabbit.AmqpPort(1)}"]
                username: guest
                password: guest
                queue: edge-hub-kill
                prefetch: 50
              prefix: ews
              postgres: "{hub.Postgres}"
              batchSize: 20
            """);
        try
        {
            await using var station = new Station("fleet-kill-01", rabbit.MqttPort(1));
            var receiver = HubProcess.Start(yaml);
            try
            {
                await receiver.WaitForAsync("consuming queue edge-hub-kill", Long);
                await station.StartAsync();
                for (var i = 0; i < 300; i++)
                {
                    station.Event(i);
                }

                // Kill it while it is working through the backlog: some batches committed, some not acknowledged.
                await WaitMessagesAsync(hub.Postgres, 20, Long);

                receiver.Kill();
                for (var i = 300; i < 400; i++)
                {
                    station.Event(i);
                }
            }
            finally
            {
                receiver.Dispose();
            }

            var before = await ScalarAsync(hub.Postgres, "SELECT count(*) FROM messages");
            Assert.InRange(before, 20, 399);
            using var again = HubProcess.Start(yaml);
            await again.WaitForAsync("consuming queue edge-hub-kill", Long);
            await Eventually.TrueAsync(() => station.Service.Status.QueueDepth == 0, Long, "the station's queue drained");

            var last = station.Service.Status.LastSeq;
            await WaitStoredAsync(hub.Postgres, "fleet-kill-01", last);
            await AssertEverySeqOnceAsync(hub.Postgres, "fleet-kill-01", last);
            Assert.Equal(400, await ScalarAsync(hub.Postgres, "SELECT count(*) FROM events WHERE message LIKE 'event %'"));

            // hub status --json from the same process binary, against what the receiver wrote.
            using var status = HubProcess.Start(yaml, "status");
            var json = await status.WaitForExitAsync(Long);
            using var doc = System.Text.Json.JsonDocument.Parse(json);
            var s = doc.RootElement.GetProperty("stations")[0];
            Assert.Equal(("fleet-kill-01", last, 0), (s.GetProperty("id").GetString(), s.GetProperty("lastSeq").GetInt64(), s.GetProperty("gaps").GetArrayLength()));
        }
        finally
        {
            File.Delete(yaml);
        }
    }
}

/// <summary><c>edgegw hub ...</c> as its own process (the built edgegw beside the tests).</summary>
internal sealed class HubProcess : IDisposable
{
    private readonly TestProcess _process;

    private HubProcess(string config, string verb) =>
        _process = EdgegwProcess.Start(verb == "status" ? ["hub", verb, "--config", config, "--json"] : ["hub", verb, "--config", config]);

    public static HubProcess Start(string config, string verb = "run") => new(config, verb);

    public Task WaitForAsync(string text, TimeSpan timeout) =>
        _process.WaitForLineAsync(line => line.Contains(text, StringComparison.OrdinalIgnoreCase), timeout);

    public async Task<string> WaitForExitAsync(TimeSpan timeout)
    {
        var code = await _process.WaitForExitAsync(timeout);
        Assert.True(code == 0, $"exit {code}: {_process}");
        return string.Concat(_process.Lines.Select(l => l + Environment.NewLine));
    }

    /// <summary>kill -9: no shutdown, no last acknowledgement.</summary>
    public void Kill() => _process.Kill();

    public void Dispose() => _process.Dispose();
}

[CollectionDefinition("fleet-cluster")]
public sealed class FleetClusterFixtureGroup : ICollectionFixture<Postgres>, ICollectionFixture<RabbitCluster3>;

/// <summary>The three-node cluster: a node killed -9 under a working station and receiver.</summary>
[Collection("fleet-cluster")]
public sealed class FleetClusterTests(Postgres postgres, RabbitCluster3 rabbit)
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(120);

    private static async Task<long> CountAsync(string connection, string sql)
    {
        await using var db = NpgsqlDataSource.Create(connection);
        await using var cmd = db.CreateCommand(sql);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync() ?? 0L, CultureInfo.InvariantCulture);
    }

    private static Task WaitAsync(Func<Task<bool>> done, string what, Func<Task<string>> state) =>
        Eventually.TrueAsync(done, Long, async () => $"{what} not reached: {await state()}", TimeSpan.FromMilliseconds(100));

    [Fact]
    [Trait("Category", "Faults")]
    public async Task NodeKilled_StationAndReceiverMoveToOtherNodes_EverySeqOnceNoGap()
    {
        var options = new HubOptions { Prefix = "ews", Postgres = await postgres.CreateDatabaseAsync(), Amqp = new AmqpOptions { Queue = "edge-hub-node", Password = "guest", Prefetch = 50 } };
        for (var n = 1; n <= 3; n++)
        {
            options.Amqp.Hosts.Add(("127.0.0.1", rabbit.AmqpPort(n)));
        }

        options.Amqp.ReconnectDelay = TimeSpan.FromMilliseconds(200);
        await using var receiver = await Receiver.StartAsync(options);
        await using var station = new Station("fleet-node-01", rabbit.MqttPort(1), rabbit.MqttPort(2), rabbit.MqttPort(3));
        await station.StartAsync();
        async Task<string> State() =>
            $"station {station.Service.Status}; stored {await CountAsync(options.Postgres, "SELECT count(*) FROM messages")}, " +
            $"max {await CountAsync(options.Postgres, "SELECT coalesce(max(seq), 0) FROM messages")}\nstation log:\n{station.Log}";
        for (var i = 0; i < 100; i++)
        {
            station.Event(i);
        }

        await WaitAsync(async () => station.Service.Status.QueueDepth == 0
            && await CountAsync(options.Postgres, "SELECT count(*) FROM messages") == station.Service.Status.LastSeq, "the first 100 stored", State);

        // The station is on node 1 (first of its list); the receiver on one of the three.
        await rabbit.KillNodeAsync(1);
        for (var i = 100; i < 200; i++)
        {
            station.Event(i);
        }

        await WaitAsync(async () => station.Service.Status.QueueDepth == 0 && station.Service.Status.State == EdgeGateway.Uplink.UplinkState.Connected
            && await CountAsync(options.Postgres, "SELECT count(*) FROM messages") >= station.Service.Status.LastSeq, "all 200 stored after the node died", State);

        var last = station.Service.Status.LastSeq;
        Assert.Equal(last, await CountAsync(options.Postgres, "SELECT count(*) FROM messages"));
        Assert.Equal(last, await CountAsync(options.Postgres, "SELECT max(seq) FROM messages"));
        Assert.Equal(200, await CountAsync(options.Postgres, "SELECT count(*) FROM events WHERE message LIKE 'event %'"));
        Assert.Equal(0, await CountAsync(options.Postgres, "SELECT count(*) FROM seq_gaps WHERE closed IS NULL"));
    }
}
