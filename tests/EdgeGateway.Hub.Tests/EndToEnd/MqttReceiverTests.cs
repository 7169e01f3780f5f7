using EdgeGateway.Core.Alerting;
using EdgeGateway.Hub.Tests.Fixtures;

namespace EdgeGateway.Hub.Tests.EndToEnd;

[CollectionDefinition("hub-mqtt")]
public sealed class MqttFixtureGroup : ICollectionFixture<Postgres>;

/// <summary>
/// The receiver on a single mosquitto: a real station's uplink through the broker into PostgreSQL, and a
/// receiver killed -9 and restarted under its persistent session losing nothing and keeping nothing twice.
/// </summary>
[Collection("hub-mqtt")]
public sealed class MqttReceiverTests(Postgres postgres)
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task StationThroughMosquitto_ReceiverByMqtt_EverySeqOnce()
    {
        await using var broker = await MosquittoBroker.StartAsync(Long);
        var connection = await postgres.CreateDatabaseAsync();
        var hub = new HubOptions
        {
            Prefix = "ews",
            Postgres = connection,
            BatchSize = 20,
            Mqtt = new HubMqttOptions { Host = "127.0.0.1", Port = broker.Port, ClientId = "edge-hub-test-once", ReconnectDelay = TimeSpan.FromMilliseconds(200) },
        };
        await using var receiver = await Receiver.StartAsync(hub);
        await using var station = new Station("mqtt-once-01", broker.Port);
        await station.StartAsync();
        for (var i = 0; i < 100; i++)
        {
            station.Event(i);
            if (i % 50 == 0)
            {
                station.Service.EnqueueAlert(new LevelTransition(TimeProvider.System.GetUtcNow(), TransitionScope.Rule, "river", AlertLevels.None, new AlertLevel("watch") { Rank = 1 }, 3.3, 3.2));
            }
        }

        await WaitDrainedAsync(station);
        await AssertStoredOnceAsync(connection, station, "mqtt-once-01", events: 100);
        Assert.Equal(2, await FleetTests.ScalarAsync(connection, "SELECT count(*) FROM alerts"));
        Assert.Equal(1, await FleetTests.ScalarAsync(connection, "SELECT count(*) FROM stations WHERE state = 'online'"));
        Assert.Equal(0, await FleetTests.ScalarAsync(connection, "SELECT count(*) FROM rejected"));
    }

    // hub.mqtt.tls: the broker's chain is checked against the given CA (a private one) and the name connected to.
    // The station publishes on the broker's plain listener, the receiver consumes on its TLS one.
    [Fact]
    public async Task Tls_PrivateCa_ReceiverConsumesOverTls_OtherCaNeverSubscribes()
    {
        var dir = Directory.CreateTempSubdirectory("edgegw-hub-tls-").FullName;
        try
        {
            TestCertificates.Write(dir);

            // mosquitto started as root reads its certificates after dropping to its own user.
            File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            foreach (var file in Directory.GetFiles(dir))
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }

            var (ca, other) = (Path.Combine(dir, "ca.crt"), Path.Combine(dir, "other-ca.crt"));
            var tlsPort = Loopback.FreePort();
            await using var broker = await MosquittoBroker.StartAsync(Long,
                $"listener {tlsPort} 127.0.0.1\ncafile {ca}\ncertfile {Path.Combine(dir, "server.crt")}\nkeyfile {Path.Combine(dir, "server.key")}\n");
            var connection = await postgres.CreateDatabaseAsync();
            HubOptions Options(string caFile, string clientId) => new()
            {
                Prefix = "ews",
                Postgres = connection,
                Mqtt = new HubMqttOptions { Host = "127.0.0.1", Port = tlsPort, TlsCa = caFile, ClientId = clientId, ReconnectDelay = TimeSpan.FromMilliseconds(200) },
            };

            var refused = Assert.ThrowsAsync<TimeoutException>(() => Receiver.StartAsync(Options(other, "edge-hub-test-tls-other"), TimeSpan.FromSeconds(5)));
            await using (var receiver = await Receiver.StartAsync(Options(ca, "edge-hub-test-tls")))
            {
                await using var station = new Station("mqtt-tls-01", broker.Port);
                await station.StartAsync();
                for (var i = 0; i < 20; i++)
                {
                    station.Event(i);
                }

                await WaitDrainedAsync(station);
                await AssertStoredOnceAsync(connection, station, "mqtt-tls-01", events: 20);
            }

            await refused;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    [Trait("Category", "Faults")]
    public async Task ReceiverProcessKilledNine_RestartedOnItsPersistentSession_NoLossNoDuplicate()
    {
        await using var broker = await MosquittoBroker.StartAsync(Long);
        var connection = await postgres.CreateDatabaseAsync();
        var yaml = await HubYamlAsync(broker.Port, "edge-hub-test-kill", connection, batchSize: 5);
        try
        {
            await using var station = new Station("mqtt-kill-01", broker.Port);
            var receiver = HubProcess.Start(yaml);
            try
            {
                await receiver.WaitForAsync("session present: False", Long);
                await station.StartAsync();
                for (var i = 0; i < 300; i++)
                {
                    station.Event(i);
                }

                // Kill it while it is working through the backlog: some batches committed, some not acknowledged.
                await FleetTests.WaitMessagesAsync(connection, 20, Long);

                receiver.Kill();
                for (var i = 300; i < 400; i++)
                {
                    station.Event(i);
                }

                // The broker takes these for the absent receiver's session (QoS 1 acknowledged to the station).
                await WaitDrainedAsync(station);
            }
            finally
            {
                receiver.Dispose();
            }

            var before = await FleetTests.ScalarAsync(connection, "SELECT count(*) FROM messages");
            Assert.InRange(before, 20, 399);
            using var again = HubProcess.Start(yaml);
            await again.WaitForAsync("session present: True", Long);
            await AssertStoredOnceAsync(connection, station, "mqtt-kill-01", events: 400);
        }
        finally
        {
            File.Delete(yaml);
        }
    }

    [Fact]
    [Trait("Category", "Faults")]
    public async Task PostgresRefusingConnections_ReceiverLeavesMessagesWithTheBroker_AllStoredOnceAfter()
    {
        await using var broker = await MosquittoBroker.StartAsync(Long);
        var connection = await postgres.CreateDatabaseAsync();
        var database = new Npgsql.NpgsqlConnectionStringBuilder(connection).Database!;
        var yaml = await HubYamlAsync(broker.Port, "edge-hub-test-dbdown", connection, batchSize: 500);
        try
        {
            await using var station = new Station("mqtt-dbdown-01", broker.Port);
            using var receiver = HubProcess.Start(yaml);
            await receiver.WaitForAsync("session present: False", Long);
            await station.StartAsync();
            station.Event(0);
            await FleetTests.WaitMessagesAsync(connection, 1, Long);

            // The database goes away under the receiver: new connections refused, open ones ended.
            await AdminAsync($"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS false; " +
                $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'");
            for (var i = 1; i <= 50; i++)
            {
                station.Event(i);
            }

            await receiver.WaitForAsync("PostgreSQL unavailable", Long);
            await WaitDrainedAsync(station);
            await AdminAsync($"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS true");

            await AssertStoredOnceAsync(connection, station, "mqtt-dbdown-01", events: 51);
        }
        finally
        {
            File.Delete(yaml);
        }
    }

    // hub.yaml for an edgegw hub process: the receiver on the test's mosquitto under a fixed client id.
    private static async Task<string> HubYamlAsync(int port, string clientId, string connection, int batchSize)
    {
        var yaml = Path.Combine(Path.GetTempPath(), $"edgegw-hub-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(yaml, $"""
            hub:
              mqtt:
                host: 127.0.0.1
                port: {port}
                clientId: {clientId}
              prefix: ews
              postgres: "{connection}"
              batchSize: {batchSize}
            """);
        return yaml;
    }

    // Every seq the station sent is in PostgreSQL exactly once, with no open gap, and every event it was given.
    private static async Task AssertStoredOnceAsync(string connection, Station station, string id, long events)
    {
        var last = station.Service.Status.LastSeq;
        await FleetTests.WaitStoredAsync(connection, id, last);
        await FleetTests.AssertEverySeqOnceAsync(connection, id, last);
        Assert.Equal(events, await FleetTests.ScalarAsync(connection, "SELECT count(*) FROM events WHERE message LIKE 'event %'"));
    }

    private async Task AdminAsync(string sql)
    {
        await using var db = Npgsql.NpgsqlDataSource.Create(postgres.AdminConnectionString);
        await using var cmd = db.CreateCommand(sql);
        await cmd.ExecuteNonQueryAsync();
    }

    private static Task WaitDrainedAsync(Station station) =>
        Eventually.TrueAsync(() => station.Service.Status.QueueDepth == 0, Long, "the station's queue drained");
}
