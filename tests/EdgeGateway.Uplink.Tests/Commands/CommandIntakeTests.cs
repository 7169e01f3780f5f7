using System.Text.Json;
using EdgeGateway.Uplink.Commands;
using EdgeGateway.Uplink.Tests.Mqtt;

namespace EdgeGateway.Uplink.Tests.Commands;

/// <summary>
/// How commands come in, against a real mosquitto: retained ones on both protocol versions, a queue that
/// overflows, and a command whose judging throws.
/// </summary>
public sealed class CommandIntakeTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task RetainedWhileConnected_Mqtt5_RefusedAsRetainedNeverExecuted()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var uplink = new UplinkHarness(broker.Port, o => o.Mqtt.Protocol = MqttProtocol.V5);
        await using var hub = await Subscriber.ConnectAsync(broker.Port, uplink.Topic("cmd/result"));
        await uplink.StartAsync();
        await uplink.WaitConnectedAsync();

        await hub.PublishAsync(uplink.Topic("cmd"), uplink.Sign(jti: "live-retained"), retain: true);
        await hub.PublishAsync(uplink.Topic("cmd"), uplink.Sign(jti: "live-plain"));
        await hub.WaitUntilAsync(m => Results(m, "live-retained").Count == 1 && Results(m, "live-plain").Count == 1, Long, "both results");

        Assert.Equal("retained", Results(hub.Messages, "live-retained")[0].GetProperty("error").GetString());
        Assert.True(Results(hub.Messages, "live-plain")[0].GetProperty("ok").GetBoolean());
        Assert.Equal(["live-plain"], uplink.Handler!.Handled.Select(c => c.Jti));
    }

    [Fact]
    public async Task RetainedWhileConnected_Mqtt311_ExecutedLiveThenRefusedWhenReplayedOnResubscribe()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var uplink = new UplinkHarness(broker.Port, o => o.Mqtt.Protocol = MqttProtocol.V311);
        await using var hub = await Subscriber.ConnectAsync(broker.Port, uplink.Topic("cmd/result"));
        var connects = 0;
        uplink.Service.Connected += () => Interlocked.Increment(ref connects);
        await uplink.StartAsync();
        await uplink.WaitConnectedAsync();

        // 3.1.1 clears the flag on live delivery: the station cannot tell, and carries it out.
        await hub.PublishAsync(uplink.Topic("cmd"), uplink.Sign(jti: "retained-311"), retain: true);
        await hub.WaitUntilAsync(m => Results(m, "retained-311").Count == 1, Long, "the live result");
        Assert.True(Results(hub.Messages, "retained-311")[0].GetProperty("ok").GetBoolean());

        // A reconnect (new keepalive) subscribes again; the broker's retained copy comes flagged and is refused.
        var o = uplink.Options;
        var next = new UplinkOptions
        {
            StationId = o.StationId,
            StoragePath = o.StoragePath,
            TelemetryPeriod = o.TelemetryPeriod,
            CommandKeyFile = o.CommandKeyFile,
            Mqtt = new MqttConnectionOptions { Host = o.Mqtt.Host, Port = o.Mqtt.Port, Protocol = MqttProtocol.V311, Prefix = o.Mqtt.Prefix, KeepAlive = TimeSpan.FromSeconds(20) },
            Outbox = o.Outbox,
            Reconnect = o.Reconnect,
        };
        Assert.True(uplink.Service.Reconfigure(next));
        await hub.WaitUntilAsync(m => Results(m, "retained-311").Count == 2, Long, "the result of the replayed copy");

        Assert.Equal("retained", Results(hub.Messages, "retained-311")[1].GetProperty("error").GetString());
        Assert.Single(uplink.Handler!.Handled);
        Assert.True(Volatile.Read(ref connects) >= 2);
    }

    [Fact]
    public async Task QueueOverflow_OldestWaitingAnsweredOverloaded_EveryCommandAnsweredOnce()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var uplink = new UplinkHarness(broker.Port);
        uplink.Handler!.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var hub = await Subscriber.ConnectAsync(broker.Port, uplink.Topic("cmd/result"));
        await uplink.StartAsync();
        await uplink.WaitConnectedAsync();

        // The first command keeps the station busy; then more arrive than the queue holds.
        await hub.PublishAsync(uplink.Topic("cmd"), uplink.Sign(jti: "busy"));
        await uplink.Handler.Entered.Task.WaitAsync(Long);
        const int Extra = CommandIntake.QueueCapacity + 6;
        var jtis = Enumerable.Range(1, Extra).Select(i => $"c-{i:D3}").ToList();
        foreach (var jti in jtis)
        {
            await hub.PublishAsync(uplink.Topic("cmd"), uplink.Sign(jti: jti));
        }

        await hub.WaitUntilAsync(m => Overloaded(m).Count == 6, Long, "six overloaded answers");
        uplink.Handler.Hold.SetResult();
        await hub.WaitUntilAsync(m => jtis.Append("busy").All(j => Results(m, j).Count >= 1), Long, "an answer to every command");

        Assert.Equal(jtis.Take(6), Overloaded(hub.Messages).Order(StringComparer.Ordinal));
        Assert.All(jtis.Append("busy"), j => Assert.Single(Results(hub.Messages, j)));
        Assert.Equal(jtis.Skip(6).Prepend("busy"), uplink.Handler.Handled.Select(c => c.Jti));
    }

    [Fact]
    public async Task GateThrows_CommandAnsweredFailed_NextCommandStillCarriedOut()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var uplink = new UplinkHarness(broker.Port);
        await using var hub = await Subscriber.ConnectAsync(broker.Port, uplink.Topic("cmd/result"));
        await uplink.StartAsync();
        await uplink.WaitConnectedAsync();

        // The command store loses its table under the running station: judging the next command throws.
        // (Through the gate's own connection: the store holds its file exclusively.)
        var gate = uplink.Service.Gate!;
        gate.ExecuteOnStore("DROP TABLE seen_jti");
        await hub.PublishAsync(uplink.Topic("cmd"), uplink.Sign(jti: "while-broken"));
        await hub.WaitUntilAsync(m => Results(m, "while-broken").Count == 1, Long, "the failed result");
        gate.ExecuteOnStore("CREATE TABLE seen_jti(jti TEXT PRIMARY KEY, exp INTEGER NOT NULL) WITHOUT ROWID");
        await hub.PublishAsync(uplink.Topic("cmd"), uplink.Sign(jti: "after"));
        await hub.WaitUntilAsync(m => Results(m, "after").Count == 1, Long, "the next result");

        var failed = Results(hub.Messages, "while-broken")[0];
        Assert.False(failed.GetProperty("ok").GetBoolean());
        Assert.Equal(CommandErrors.Failed, failed.GetProperty("error").GetString());
        Assert.True(Results(hub.Messages, "after")[0].GetProperty("ok").GetBoolean());
        Assert.Equal(["after"], uplink.Handler!.Handled.Select(c => c.Jti));
    }

    [Fact]
    public async Task CommandKeyOnAnotherCurve_FaultInStatusAndEvent_CommandsRefused()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        using var k1 = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.CreateFromFriendlyName("secp256k1"));
        using var keyDir = new TempDirectory();
        var keyFile = keyDir.File("hub-command.pub");
        File.WriteAllText(keyFile, k1.ExportSubjectPublicKeyInfoPem());
        await using var uplink = new UplinkHarness(broker.Port, o => o.CommandKeyFile = keyFile);
        await using var hub = await Subscriber.ConnectAsync(broker.Port, uplink.Topic("#"));
        await uplink.StartAsync();
        await uplink.WaitConnectedAsync();

        await hub.PublishAsync(uplink.Topic("cmd"), uplink.Sign(jti: "k1"));
        await hub.WaitUntilAsync(m => Results(m, "k1").Count == 1, Long, "the result");

        Assert.False(uplink.Service.Status.CommandKeyLoaded);
        Assert.Contains("not NIST P-256", uplink.Service.Status.CommandKeyProblem, StringComparison.Ordinal);
        Assert.Equal("no-command-key", Results(hub.Messages, "k1")[0].GetProperty("error").GetString());
        Assert.Contains(hub.Messages, m => m.Topic.EndsWith("/event", StringComparison.Ordinal)
            && JsonDocument.Parse(m.Payload).RootElement.GetProperty("type").GetString() == "command-key-fault");
        Assert.Empty(uplink.Handler!.Handled);
    }

    // Distinct by message id: a QoS 1 result in flight across a reconnect may be delivered twice (the hub dedupes).
    private static List<JsonElement> Results(IReadOnlyCollection<Subscriber.Received> messages, string jti) =>
        [.. messages.Where(m => m.Topic.EndsWith("/cmd/result", StringComparison.Ordinal))
            .Select(m => JsonDocument.Parse(m.Payload).RootElement)
            .Where(r => r.GetProperty("command").GetString() == jti)
            .DistinctBy(r => r.GetProperty("id").GetString())];

    private static List<string> Overloaded(IReadOnlyCollection<Subscriber.Received> messages) =>
        [.. messages.Where(m => m.Topic.EndsWith("/cmd/result", StringComparison.Ordinal))
            .Select(m => JsonDocument.Parse(m.Payload).RootElement)
            .Where(r => r.TryGetProperty("error", out var e) && e.GetString() == CommandErrors.Overloaded)
            .Select(r => r.GetProperty("command").GetString()!)];
}
