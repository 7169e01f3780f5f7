using System.Text.Json;
using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Events;
using EdgeGateway.Core.Readings;
using EdgeGateway.Uplink.Commands;

namespace EdgeGateway.Uplink.Tests.Mqtt;

public sealed class UplinkServiceTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    private static bool IsSeqMessage(Subscriber.Received m) =>
        !m.Topic.EndsWith("/status", StringComparison.Ordinal) && !m.Topic.EndsWith("/cmd", StringComparison.Ordinal);

    [Theory]
    [InlineData(MqttProtocol.V5)]
    [InlineData(MqttProtocol.V311)]
    public async Task Connect_PublishesRetainedBirthWithHealth(MqttProtocol protocol)
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var uplink = new UplinkHarness(broker.Port, o => o.Mqtt.Protocol = protocol);
        uplink.Service.SetHealthProvider(() => new Dictionary<string, object?> { ["version"] = "0.1.0", ["stationLevel"] = "none" });
        await uplink.StartAsync();
        await uplink.WaitConnectedAsync();

        // A hub that subscribes afterwards still gets the birth: it is retained.
        await using var hub = await Subscriber.ConnectAsync(broker.Port, uplink.Topic("status"));
        await hub.WaitUntilAsync(m => m.Count > 0, Long, "retained birth");
        var birth = hub.Messages.First();
        Assert.True(birth.Retain);
        using var json = JsonDocument.Parse(birth.Payload);
        Assert.Equal("online", json.RootElement.GetProperty("state").GetString());
        Assert.Equal(UplinkHarness.Station, json.RootElement.GetProperty("station").GetString());
        Assert.Equal("none", json.RootElement.GetProperty("stationLevel").GetString());
        Assert.False(json.RootElement.TryGetProperty("seq", out _));
        Assert.Equal(UplinkState.Connected, uplink.Service.Status.State);
    }

    [Fact]
    public async Task BrokerDownTwoMinutesUnder1HzTelemetry_EveryMessageDeliveredOncePerIdInSeqOrder()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var uplink = new UplinkHarness(broker.Port);
        var hub = await Subscriber.ConnectAsync(broker.Port, uplink.Topic("#"));
        var sensorValue = 2.0;
        uplink.Clock.OnSecond = now => uplink.Service.EnqueueTelemetry([new Reading("river-level", now, sensorValue += 0.001, Quality.Good)]);
        await uplink.StartAsync();
        await uplink.WaitConnectedAsync();

        // Some telemetry flows normally; wait until the hub has all of it, then pull the plug.
        await hub.WaitUntilAsync(m => m.Count(IsSeqMessage) >= 5, Long, "telemetry before the outage");
        await uplink.Clock.PauseAsync();
        uplink.Service.CutTelemetry();
        uplink.Service.OutboxForTests!.Flush(force: true);
        await hub.WaitUntilAsync(m => m.Where(IsSeqMessage).Select(UplinkHarness.Seq).DefaultIfEmpty().Max() == uplink.Service.Status.LastSeq,
            Long, "everything sent so far");
        var before = hub.Messages.Where(IsSeqMessage).ToList();
        await hub.DisposeAsync();
        broker.Stop();

        // Two simulated minutes of 1 Hz readings with the broker really gone, and an alert in the middle.
        var outageStart = uplink.Time.GetUtcNow();
        uplink.Clock.Resume();
        await uplink.Clock.ReachedAsync(outageStart.AddSeconds(60));
        uplink.Service.EnqueueAlert(new LevelTransition(uplink.Time.GetUtcNow(), TransitionScope.Rule, "river", TestLevels.Level("none"), TestLevels.Level("watch"), 2.9, 2.8));
        await uplink.Clock.ReachedAsync(outageStart.AddSeconds(120));

        await uplink.Clock.PauseAsync();
        uplink.Service.CutTelemetry();
        uplink.Service.OutboxForTests!.Flush(force: true);
        Assert.NotEqual(UplinkState.Connected, uplink.Service.Status.State);
        Assert.True(uplink.Service.Status.QueueDepth >= 100, $"queue {uplink.Service.Status.QueueDepth}");

        // The hub is back (listening first), then the station's backoff runs out and it reconnects.
        await broker.RestartAsync();
        await using var hub2 = await Subscriber.ConnectAsync(broker.Port, uplink.Topic("#"));
        uplink.Clock.OnSecond = null;
        uplink.Clock.Resume();
        var last = uplink.Service.Status.LastSeq;
        await hub2.WaitUntilAsync(m => m.Where(IsSeqMessage).Select(UplinkHarness.Seq).Distinct().Count()
            + before.Count >= last, Long, "the backlog");
        await uplink.Clock.PauseAsync();

        var after = hub2.Messages.Where(IsSeqMessage).ToList();
        var all = before.Concat(after).ToList();
        // Once per id, one id per seq, no seq missing.
        Assert.Equal(all.Count, all.Select(UplinkHarness.Id).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, (int)last).Select(i => (long)i), all.Select(UplinkHarness.Seq).Order());
        // Each lane in seq order; the alert raised during the outage overtook the telemetry backlog.
        var telemetry = after.Where(m => m.Topic.EndsWith("/telemetry", StringComparison.Ordinal)).Select(UplinkHarness.Seq).ToList();
        var urgent = after.Where(m => !m.Topic.EndsWith("/telemetry", StringComparison.Ordinal)).Select(UplinkHarness.Seq).ToList();
        Assert.Equal(telemetry.Order(), telemetry);
        Assert.Equal(urgent.Order(), urgent);
        Assert.True(telemetry.Count >= 100, $"{telemetry.Count} telemetry messages after the outage");
        var alertIndex = after.FindIndex(m => m.Topic.EndsWith("/alert", StringComparison.Ordinal));
        var lastTelemetryIndex = after.FindLastIndex(m => m.Topic.EndsWith("/telemetry", StringComparison.Ordinal));
        Assert.InRange(alertIndex, 0, lastTelemetryIndex);
        Assert.Contains(after, m => m.Topic.EndsWith("/alert/cap", StringComparison.Ordinal));
        // Readings keep the time they were taken: the first one after the outage is from inside it.
        var firstLate = JsonDocument.Parse(after.First(m => m.Topic.EndsWith("/telemetry", StringComparison.Ordinal)).Payload);
        var readingTime = firstLate.RootElement.GetProperty("readings")[0].GetProperty("time").GetDateTimeOffset();
        Assert.InRange(readingTime, outageStart, outageStart.AddSeconds(121));
    }

    [Fact]
    public async Task Backlog_TenThousandMessages_DrainsCompletelyInOrder()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var uplink = new UplinkHarness(broker.Port);
        await uplink.Clock.PauseAsync();
        var t0 = uplink.Time.GetUtcNow();
        for (var i = 0; i < 10_000; i++)
        {
            uplink.Service.EnqueueTelemetry([new Reading("river-level", t0.AddSeconds(i), 1 + (i / 10_000.0), Quality.Good)]);
            uplink.Service.CutTelemetry();
        }

        await using var hub = await Subscriber.ConnectAsync(broker.Port, uplink.Topic("telemetry"));
        await uplink.StartAsync();
        uplink.Clock.Resume();
        await hub.WaitUntilAsync(m => m.Count >= 10_000, TimeSpan.FromSeconds(90), "10,000 telemetry messages");
        var seqs = hub.Messages.Select(UplinkHarness.Seq).ToList();
        Assert.Equal(Enumerable.Range(1, 10_000).Select(i => (long)i), seqs.Take(10_000));
        await WaitForAsync(() => uplink.Service.Status.QueueDepth == 0, "the outbox to empty");
    }

    [Fact]
    public async Task Commands_ForgedExpiredReplayedWrongAudienceAlgNoneAndRetained_RefusedWithResults()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var uplink = new UplinkHarness(broker.Port);
        await using var hub = await Subscriber.ConnectAsync(broker.Port, uplink.Topic("#"));
        // A retained command waits on the broker before the station connects.
        var retained = uplink.Sign(jti: "retained-1");
        await hub.PublishAsync("ews/all/cmd", retained, retain: true);
        var audits = new List<StationEvent>();
        uplink.Service.CommandAudited += e => { lock (audits) { audits.Add(e); } };
        await uplink.StartAsync();
        await uplink.WaitConnectedAsync();

        using var other = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var now = uplink.Time.GetUtcNow();
        var good = uplink.Sign(jti: "good-1");
        var cases = new (string Jti, string Token, string Error)[]
        {
            ("forged-1", uplink.Sign(jti: "forged-1", key: other), "bad-signature"),
            ("expired-1", uplink.Sign(jti: "expired-1", iat: now.AddMinutes(-30)), "expired"),
            ("aud-1", uplink.Sign(jti: "aud-1", aud: "wz-oh-other-02"), "wrong-audience"),
            ("none-1", Commands.Keys.Unsigned("{\"alg\":\"none\"}",
                $$$"""{"jti":"none-1","aud":"*","iat":{{{now.ToUnixTimeSeconds()}}},"exp":{{{now.ToUnixTimeSeconds() + 60}}},"cmd":"broadcast","args":{"message":"evacuate"}}"""), "alg-not-allowed"),
            ("unknown-1", uplink.Sign(jti: "unknown-1", cmd: "reboot", args: null), "unknown-command"),
        };
        await hub.PublishAsync(uplink.Topic("cmd"), good);
        await hub.PublishAsync(uplink.Topic("cmd"), good);
        foreach (var c in cases)
        {
            await hub.PublishAsync(uplink.Topic("cmd"), c.Token);
        }

        static JsonElement? Result(IReadOnlyCollection<Subscriber.Received> m, string jti, int nth = 0) =>
            m.Where(x => x.Topic.EndsWith("/cmd/result", StringComparison.Ordinal))
                .Select(x => JsonDocument.Parse(x.Payload).RootElement)
                .Where(r => r.GetProperty("command").GetString() == jti).Skip(nth).Cast<JsonElement?>().FirstOrDefault();

        await hub.WaitUntilAsync(m => cases.All(c => Result(m, c.Jti) is not null) && Result(m, "good-1", 1) is not null
            && Result(m, "retained-1") is not null, Long, "a result for every command");
        foreach (var c in cases)
        {
            var r = Result(hub.Messages, c.Jti)!.Value;
            Assert.False(r.GetProperty("ok").GetBoolean());
            Assert.Equal(c.Error, r.GetProperty("error").GetString());
        }

        Assert.Equal("retained", Result(hub.Messages, "retained-1")!.Value.GetProperty("error").GetString());
        Assert.True(Result(hub.Messages, "good-1")!.Value.GetProperty("ok").GetBoolean());
        Assert.Equal("replayed", Result(hub.Messages, "good-1", 1)!.Value.GetProperty("error").GetString());
        // Only the one good command reached the station; every verdict was audited as an event.
        Assert.Single(uplink.Handler!.Handled);
        await hub.WaitUntilAsync(m => m.Count(x => x.Topic.EndsWith("/event", StringComparison.Ordinal)) >= 8, Long, "audit events");
        var events = hub.Messages.Where(x => x.Topic.EndsWith("/event", StringComparison.Ordinal))
            .Select(x => JsonDocument.Parse(x.Payload).RootElement.GetProperty("type").GetString()).ToList();
        Assert.Equal(7, events.Count(e => e == StationEventTypes.CommandRefused));
        Assert.Equal(1, events.Count(e => e == StationEventTypes.CommandAccepted));
    }

    [Fact]
    public async Task Commands_SignedBroadcastOnAllTopic_IsDispatchedToTheHandler()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var uplink = new UplinkHarness(broker.Port);
        await using var hub = await Subscriber.ConnectAsync(broker.Port, uplink.Topic("cmd/result"));
        await uplink.StartAsync();
        await uplink.WaitConnectedAsync();

        await hub.PublishAsync("ews/all/cmd", uplink.Sign(args: """{"text":"河水上涨，请撤离","voice":"cmn","repeat":2,"exercise":true}""", jti: "b-1"));
        var command = Assert.IsType<BroadcastCommand>(await uplink.Handler!.First.WaitAsync(Long));
        Assert.Equal("河水上涨，请撤离", command.Text);
        Assert.Equal(2, command.Repeat);
        Assert.True(command.Exercise);
        await hub.WaitUntilAsync(m => m.Count > 0, Long, "the result");
        using var result = JsonDocument.Parse(hub.Messages.First().Payload);
        Assert.Equal("b-1", result.RootElement.GetProperty("command").GetString());
        Assert.True(result.RootElement.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task Connect_WrongPassword_ReportsAuthFailedAndKeepsQueueing()
    {
        using var dir = new TempDirectory();
        var pw = dir.File("passwd");
        await RunToolAsync("mosquitto_passwd", "-b", "-c", pw, UplinkHarness.Station, "right-password");
        dir.OpenToServices();
        await using var authBroker = await MosquittoBroker.StartAsync($"allow_anonymous false\npassword_file {pw}\n");
        var pwFile = dir.File("station.password");
        File.WriteAllText(pwFile, "wrong-password\n");
        await using var uplink = new UplinkHarness(authBroker.Port, o =>
        {
            o.Mqtt.Username = UplinkHarness.Station;
            o.Mqtt.PasswordFile = pwFile;
        });
        await uplink.StartAsync();
        await WaitForAsync(() => uplink.Service.Status.State == UplinkState.AuthFailed, "an auth failure");
        Assert.Contains("credentials", uplink.Service.Status.LastError, StringComparison.Ordinal);
        uplink.Service.EnqueueEvent(new StationEvent(StationEventTypes.Tamper, uplink.Time.GetUtcNow(), "door"));
        Assert.Equal(1, uplink.Service.Status.QueueDepth);

        // The technician fixes the password file; the next (slow) retry gets in and delivers the event.
        File.WriteAllText(pwFile, "right-password\n");
        await uplink.WaitConnectedAsync(Long);
        await WaitForAsync(() => uplink.Service.Status.QueueDepth == 0, "the event to be delivered");
    }

    [Fact]
    public async Task Connect_MissingPasswordFile_IsALocalFaultNotACrash()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var uplink = new UplinkHarness(broker.Port, o =>
        {
            o.Mqtt.Username = UplinkHarness.Station;
            o.Mqtt.PasswordFile = "/nonexistent/mqtt.password";
        });
        await uplink.StartAsync();
        await WaitForAsync(() => uplink.Service.Status.State == UplinkState.Faulted, "a local fault");
        Assert.Contains("/nonexistent/mqtt.password", uplink.Service.Status.LastError, StringComparison.Ordinal);
    }

    internal static async Task RunToolAsync(string file, params string[] args)
    {
        var result = await TestProcess.RunAsync(file, args);
        Assert.True(result.ExitCode == 0, $"{file} failed: {result.Stderr}");
    }

    internal static Task WaitForAsync(Func<bool> condition, string what) => Eventually.TrueAsync(condition, Long, what);
}
