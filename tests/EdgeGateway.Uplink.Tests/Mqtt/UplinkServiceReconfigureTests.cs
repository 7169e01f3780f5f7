using System.Text.Json;
using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Events;

namespace EdgeGateway.Uplink.Tests.Mqtt;

/// <summary>Reloaded uplink settings on a running uplink, against real mosquitto brokers on 127.0.0.1.</summary>
public sealed class UplinkServiceReconfigureTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Reconfigure_BrokerMovedDuringOutage_QueuedMessagesReachTheNewBrokerInSeqOrder()
    {
        await using var first = await MosquittoBroker.StartAsync();
        await using var second = await MosquittoBroker.StartAsync();
        await using var uplink = new UplinkHarness(first.Port);
        await using var hubFirst = await Subscriber.ConnectAsync(first.Port, uplink.Topic("event"));
        await using var hubSecond = await Subscriber.ConnectAsync(second.Port, uplink.Topic("#"));
        await uplink.StartAsync();
        await uplink.WaitConnectedAsync();
        for (var i = 0; i < 3; i++)
        {
            uplink.Service.EnqueueEvent(Event($"before the move {i}"));
        }

        await hubFirst.WaitUntilAsync(m => m.Count >= 3, Long, "events on the first broker");

        // The first broker dies; what happens meanwhile is queued; the technician points the station elsewhere.
        first.Stop();
        for (var i = 0; i < 5; i++)
        {
            uplink.Service.EnqueueEvent(Event($"during the outage {i}"));
        }

        Assert.True(uplink.Service.Reconfigure(Moved(uplink.Options, second.Port)));
        await hubSecond.WaitUntilAsync(m => m.Count(IsEvent) >= 5 && m.Any(IsOnline), Long, "queued events and the birth on the second broker");

        var before = hubFirst.Messages.Select(UplinkHarness.Seq).ToList();
        var after = hubSecond.Messages.Where(IsEvent).Select(UplinkHarness.Seq).ToList();
        Assert.Equal([1, 2, 3], before);
        Assert.Equal([4, 5, 6, 7, 8], after);
        Assert.Equal(8, uplink.Service.Status.LastSeq);
    }

    [Fact]
    public async Task Reconfigure_BrokerMovedWhileConnected_OldBrokerSaysOfflineNewSaysOnline()
    {
        await using var first = await MosquittoBroker.StartAsync();
        await using var second = await MosquittoBroker.StartAsync();
        await using var uplink = new UplinkHarness(first.Port);
        await using var hubSecond = await Subscriber.ConnectAsync(second.Port, uplink.Topic("#"));
        await uplink.StartAsync();
        await uplink.WaitConnectedAsync();

        Assert.True(uplink.Service.Reconfigure(Moved(uplink.Options, second.Port)));
        uplink.Service.EnqueueEvent(Event("after the move"));
        await hubSecond.WaitUntilAsync(m => m.Any(IsOnline) && m.Any(IsEvent), Long, "birth and event on the second broker");

        // A hub still watching the first broker finds the station's retained status offline, not a stale online.
        await using var hubFirst = await Subscriber.ConnectAsync(first.Port, uplink.Topic("status"));
        await hubFirst.WaitUntilAsync(m => m.Count >= 1, Long, "the retained status on the first broker");
        Assert.Equal("offline", State(hubFirst.Messages.Last()));
        Assert.Equal(1, UplinkHarness.Seq(hubSecond.Messages.Single(IsEvent)));
    }

    [Fact]
    public async Task Reconfigure_TelemetryPeriodOnly_KeepsTheConnection()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var uplink = new UplinkHarness(broker.Port);
        await uplink.StartAsync();
        await uplink.WaitConnectedAsync();
        var since = uplink.Service.Status.ConnectedSince;

        var next = Moved(uplink.Options, broker.Port);
        next.TelemetryPeriod = TimeSpan.FromSeconds(5);
        next.QueueLimit = 1024 * 1024;

        Assert.False(uplink.Service.Reconfigure(next));
        Assert.Equal(UplinkState.Connected, uplink.Service.Status.State);
        Assert.Equal(since, uplink.Service.Status.ConnectedSince);
    }

    [Fact]
    public async Task Reconfigure_LevelList_ChangedWaitsForTheRestartSameIdsTakeTheNewSeverity()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var uplink = new UplinkHarness(broker.Port);
        await using var hub = await Subscriber.ConnectAsync(broker.Port, uplink.Topic("alert"));
        await uplink.StartAsync();
        await uplink.WaitConnectedAsync();
        var running = uplink.Options.Levels;
        var watch = running.Get("watch");

        // Another list (as the rule engine refuses it): the levels in force stay, with their severities.
        var renamed = Moved(uplink.Options, broker.Port);
        renamed.Levels = new AlertLevels([new AlertLevel("warning") { Severity = "Extreme" }, new AlertLevel("watch") { Severity = "Minor" }]);
        uplink.Service.Reconfigure(renamed);
        uplink.Service.EnqueueAlert(new LevelTransition(uplink.Time.GetUtcNow(), TransitionScope.Rule, "river", AlertLevels.None, watch, 2.9, 2.8));
        await hub.WaitUntilAsync(m => m.Count >= 1, Long, "the first alert");

        // The same ids with another severity: it goes into the next alert.
        var reseverity = Moved(uplink.Options, broker.Port);
        reseverity.Levels = new AlertLevels(running.Configured.Select(l => l.Id == "watch" ? l with { Severity = "Minor" } : l));
        uplink.Service.Reconfigure(reseverity);
        uplink.Service.EnqueueAlert(new LevelTransition(uplink.Time.GetUtcNow(), TransitionScope.Rule, "river", AlertLevels.None, watch, 2.9, 2.8));
        await hub.WaitUntilAsync(m => m.Count >= 2, Long, "the second alert");

        Assert.Equal(["Moderate", "Minor"], hub.Messages.Select(m => JsonDocument.Parse(m.Payload).RootElement.GetProperty("severity").GetString()));
    }

    private static StationEvent Event(string message) =>
        new(StationEventTypes.OperatorAction, DateTimeOffset.UnixEpoch.AddDays(20000), "test", message, null);

    private static bool IsEvent(Subscriber.Received m) => m.Topic.EndsWith("/event", StringComparison.Ordinal);

    private static bool IsOnline(Subscriber.Received m) => m.Topic.EndsWith("/status", StringComparison.Ordinal) && State(m) == "online";

    private static string? State(Subscriber.Received m)
    {
        using var json = JsonDocument.Parse(m.Payload);
        return json.RootElement.GetProperty("state").GetString();
    }

    // What the host maps from a reloaded station.yaml: a fresh options object, here with the broker's port moved.
    private static UplinkOptions Moved(UplinkOptions o, int port)
    {
        var next = new UplinkOptions
        {
            StationId = o.StationId,
            StationName = o.StationName,
            StoragePath = o.StoragePath,
            QueueLimit = o.QueueLimit,
            TelemetryPeriod = o.TelemetryPeriod,
            CommandKeyFile = o.CommandKeyFile,
            Mqtt = new MqttConnectionOptions { Host = o.Mqtt.Host, Port = port, Protocol = o.Mqtt.Protocol, Prefix = o.Mqtt.Prefix },
            Outbox = o.Outbox,
            Reconnect = o.Reconnect,
        };
        foreach (var (sensor, unit) in o.SensorUnits)
        {
            next.SensorUnits[sensor] = unit;
        }

        next.Levels = o.Levels;
        return next;
    }
}
