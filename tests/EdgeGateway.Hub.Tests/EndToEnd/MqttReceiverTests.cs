using EdgeGateway.Core.Alerting;
using EdgeGateway.Hub.Tests.Fixtures;
using EdgeGateway.Tests.EndToEnd;

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
                station.Service.EnqueueAlert(new LevelTransition(TimeProvider.System.GetUtcNow(), TransitionScope.Rule, "river", "none", "watch", 3.3, 3.2));
            }
        }

        await WaitDrainedAsync(station);
        var last = station.Service.Status.LastSeq;
        await FleetTests.WaitStoredAsync(connection, "mqtt-once-01", last);
        await FleetTests.AssertEverySeqOnceAsync(connection, "mqtt-once-01", last);
        Assert.Equal(100, await FleetTests.ScalarAsync(connection, "SELECT count(*) FROM events WHERE message LIKE 'event %'"));
        Assert.Equal(2, await FleetTests.ScalarAsync(connection, "SELECT count(*) FROM alerts"));
        Assert.Equal(1, await FleetTests.ScalarAsync(connection, "SELECT count(*) FROM stations WHERE state = 'online'"));
        Assert.Equal(0, await FleetTests.ScalarAsync(connection, "SELECT count(*) FROM rejected"));
    }

    [Fact]
    [Trait("Category", "Faults")]
    public async Task ReceiverProcessKilledNine_RestartedOnItsPersistentSession_NoLossNoDuplicate()
    {
        await using var broker = await MosquittoBroker.StartAsync(Long);
        var connection = await postgres.CreateDatabaseAsync();
        var yaml = Path.Combine(Path.GetTempPath(), $"edgegw-hub-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(yaml, $"""
            hub:
              mqtt:
                host: 127.0.0.1
                port: {broker.Port}
                clientId: edge-hub-test-kill
              prefix: ews
              postgres: "{connection}"
              batchSize: 5
            """);
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
            var last = station.Service.Status.LastSeq;
            await FleetTests.WaitStoredAsync(connection, "mqtt-kill-01", last);
            await FleetTests.AssertEverySeqOnceAsync(connection, "mqtt-kill-01", last);
            Assert.Equal(400, await FleetTests.ScalarAsync(connection, "SELECT count(*) FROM events WHERE message LIKE 'event %'"));
        }
        finally
        {
            File.Delete(yaml);
        }
    }

    private static async Task WaitDrainedAsync(Station station)
    {
        using var cts = new CancellationTokenSource(Long);
        while (station.Service.Status.QueueDepth > 0)
        {
            await Task.Delay(50, cts.Token);
        }
    }
}
