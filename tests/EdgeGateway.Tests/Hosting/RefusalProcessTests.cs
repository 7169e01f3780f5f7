using System.Security.Cryptography;
using System.Text.Json.Nodes;
using EdgeGateway.Cli;
using EdgeGateway.Control;
using EdgeGateway.Demo;
using EdgeGateway.Hardware.Audio;
using EdgeGateway.Broadcast;
using EdgeGateway.Tests.TestSupport;
using EdgeGateway.Uplink.Commands;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeGateway.Tests.Hosting;

/// <summary>
/// Broadcasts a person or the hub asks for that cannot be played as asked, and clears that need force,
/// against a real <c>edgegw run</c> (simulated GPIO, file audio sink) and a real mosquitto with signed
/// commands: each is refused with its code before anything sounds. No relay line is ever written high
/// (the simulated chip's write history, <c>sim.gpio.outputs</c>) and nothing reaches the WAV.
/// </summary>
public sealed class RefusalProcessTests
{
    private const string Station = "refusal-01";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task UnplayableBroadcastsAndUnforcedClear_RefusedThroughCliAndHub_NoRelayNoSound()
    {
        using var dir = new TempDirectory();
        await using var rig = await Rig.StartAsync(dir, new Dictionary<string, string>());
        var (socket, hub, hubKey) = (dir.File("control.sock"), rig.Hub, rig.HubKey);

        var longText = new string('水', 2500);
        var typo = await EdgegwProcess.RunAsync("broadcast", "play", "evacuaet", "--socket", socket);
        var tooLong = await EdgegwProcess.RunAsync("broadcast", "say", longText, "--socket", socket);
        var badVoice = await EdgegwProcess.RunAsync("broadcast", "say", "河水上涨", "--voice", "zz", "--socket", socket);

        var commands = new (string Jti, string Cmd, string Args, string Topic, string Error)[]
        {
            ("typo", "broadcast", """{"message":"evacuaet","exercise":true}""", $"ews/{Station}/cmd", BroadcastValidator.UnknownMessage),
            ("long", "broadcast", $$"""{"text":"{{longText}}"}""", $"ews/{Station}/cmd", BroadcastValidator.TextTooLong),
            ("voice", "broadcast", """{"text":"河水上涨","voice":"zz"}""", $"ews/{Station}/cmd", BroadcastValidator.BadVoice),
            ("all-clear", "clear", "{}", "ews/all/cmd", CommandErrors.ClearNeedsForce),
            ("manul", "clear", """{"rule":"manul"}""", $"ews/{Station}/cmd", CommandErrors.UnknownRule),
        };
        await using (var publisher = await Publisher.ConnectAsync(rig.Broker.Port))
        {
            foreach (var c in commands)
            {
                await publisher.PublishAsync(c.Topic, Sign(hubKey, c.Jti, c.Cmd, c.Args));
            }
        }

        await hub.WaitUntilAsync(m => commands.All(c => Result(m, c.Jti) is not null), Patience, CancellationToken.None);
        await hub.WaitUntilAsync(m => RefusedEvents(m).Count >= commands.Length, Patience, CancellationToken.None);
        var writes = await ControlClient.SendAsync(socket, "sim.gpio.outputs", null, Patience);
        await rig.Edgegw.TerminateAsync(Patience);

        Assert.Equal(ExitCodes.Usage, typo.ExitCode);
        Assert.Contains("refused (unknown-message): no message named 'evacuaet'; did you mean 'evacuate'?", typo.Stderr, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, tooLong.ExitCode);
        Assert.Contains("refused (text-too-long)", tooLong.Stderr, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, badVoice.ExitCode);
        Assert.Contains("refused (bad-voice)", badVoice.Stderr, StringComparison.Ordinal);
        foreach (var c in commands)
        {
            var result = Result(hub.Messages, c.Jti)!;
            Assert.False(result["ok"]!.GetValue<bool>());
            Assert.Equal(c.Error, result["error"]!.GetValue<string>());
        }

        Assert.Equal(commands.Select(c => c.Error).Order(), RefusedEvents(hub.Messages).Select(e => e["data"]!["error"]!.GetValue<string>()).Order());
        AssertSilent(writes, dir);
    }

    [Fact]
    public async Task SpeechUnavailable_AudibleTestAndSayRefusedThroughCliAndHub_NoRelayNoSound()
    {
        using var dir = new TempDirectory();
        // No espeak-ng on this station's PATH: nothing can be spoken (the test message is text).
        await using var rig = await Rig.StartAsync(dir, new Dictionary<string, string> { ["PATH"] = dir.File("no-bin") });
        var (socket, hub, hubKey) = (dir.File("control.sock"), rig.Hub, rig.HubKey);

        var test = await EdgegwProcess.RunAsync("broadcast", "test", "--socket", socket);
        var say = await EdgegwProcess.RunAsync("broadcast", "say", "河水上涨", "--socket", socket);
        await using (var publisher = await Publisher.ConnectAsync(rig.Broker.Port))
        {
            await publisher.PublishAsync($"ews/{Station}/cmd", Sign(hubKey, "test-1", "test", "{}"));
            await publisher.PublishAsync($"ews/{Station}/cmd", Sign(hubKey, "say-1", "broadcast", """{"text":"河水上涨"}"""));
        }

        await hub.WaitUntilAsync(m => Result(m, "test-1") is not null && Result(m, "say-1") is not null, Patience, CancellationToken.None);
        var writes = await ControlClient.SendAsync(socket, "sim.gpio.outputs", null, Patience);
        await rig.Edgegw.TerminateAsync(Patience);

        Assert.Equal(ExitCodes.Usage, test.ExitCode);
        Assert.Contains("refused (speech-unavailable)", test.Stderr, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, say.ExitCode);
        Assert.Contains("refused (speech-unavailable)", say.Stderr, StringComparison.Ordinal);
        Assert.Equal(BroadcastValidator.SpeechUnavailable, Result(hub.Messages, "test-1")!["error"]!.GetValue<string>());
        Assert.Equal(BroadcastValidator.SpeechUnavailable, Result(hub.Messages, "say-1")!["error"]!.GetValue<string>());
        AssertSilent(writes, dir);
    }

    [Fact]
    public async Task ClearOfRuleOnFaultySensor_RefusedThroughCliAndHubUnlessForced_ForcedClearPlaysNoAllClear()
    {
        using var dir = new TempDirectory();
        var modbusPort = Loopback.FreePort();
        var scenario = dir.Write("river.csv", "time,slave,table,address,type,order,value\n0s,1,holding,0,float32,ABCD,5\n");
        await using var sim = EdgegwProcess.Start("sim", "modbus", "--tcp", $"127.0.0.1:{modbusPort}", "--scenario", scenario);
        await using var rig = await Rig.StartAsync(dir, new Dictionary<string, string>(), station => station
            .Buses($$"""
                - id: radar
                  modbus-tcp: { host: 127.0.0.1, port: {{modbusPort}} }
                  timeout: 300ms
                  retries: 0
                """)
            .RiverLevel("radar")
            .Alerting("""
                levels: [ { id: evacuate, severity: Extreme, broadcast: { message: evacuate, repeat: 1 } } ]
                allClear: { message: all-clear, repeat: 1 }
                rules:
                  - { id: river, sensor: river-level, measure: value, above: { evacuate: 3 } }
                """));
        var (socket, hub) = (dir.File("control.sock"), rig.Hub);
        await hub.WaitUntilAsync(m => StationLevel(m) == "evacuate", Patience, CancellationToken.None);

        // The radar goes silent: the rule keeps its level on a faulty sensor.
        await sim.TerminateAsync(Patience);
        await hub.WaitUntilAsync(m => m.Any(x => x.Kind == HubMessageKind.Event && x.Json?["type"]?.GetValue<string>() == "sensor-fault"),
            Patience, CancellationToken.None);
        var cli = await EdgegwProcess.RunAsync("alert", "clear", "river", "--socket", socket);
        await using (var publisher = await Publisher.ConnectAsync(rig.Broker.Port))
        {
            await publisher.PublishAsync($"ews/{Station}/cmd", Sign(rig.HubKey, "clear-1", "clear", """{"rule":"river"}"""));
        }

        await hub.WaitUntilAsync(m => Result(m, "clear-1") is not null, Patience, CancellationToken.None);
        var levelBefore = StationLevel(hub.Messages);
        var forced = await EdgegwProcess.RunAsync("alert", "clear", "river", "--force", "--socket", socket);
        // The broadcaster hears of the level change before the clear returns: an all-clear would be queued now.
        var broadcast = await ControlClient.SendAsync(socket, "broadcast.status", null, Patience);
        await hub.WaitUntilAsync(m => StationLevel(m) == "none", Patience, CancellationToken.None);

        Assert.Equal(ExitCodes.Usage, cli.ExitCode);
        Assert.Contains("refused (force-required)", cli.Stderr, StringComparison.Ordinal);
        Assert.Equal(CommandErrors.ClearNeedsForce, Result(hub.Messages, "clear-1")!["error"]!.GetValue<string>());
        Assert.Equal("evacuate", levelBefore);
        Assert.True(forced.ExitCode == ExitCodes.Success, forced.Stderr);
        Assert.NotEqual("all-clear", broadcast?["playing"]?["message"]?.GetValue<string>());
        Assert.DoesNotContain(broadcast!["queue"]!.AsArray(), i => i!["message"]?.GetValue<string>() == "all-clear");
        Assert.DoesNotContain(hub.Messages, m => m.Kind == HubMessageKind.Event
            && m.Json?["type"]?.GetValue<string>() == "broadcast-started" && m.Json?["source"]?.GetValue<string>() == "all-clear");
    }

    private static string? StationLevel(IReadOnlyList<HubMessage> messages) =>
        messages.Where(m => m.Kind == HubMessageKind.Alert && m.Json?["scope"]?.GetValue<string>() == "station")
            .Select(m => m.Json!["to"]!.GetValue<string>()).LastOrDefault();

    // The startup writes (every relay driven low) are allowed; a single high write is a relay that closed.
    private static void AssertSilent(JsonNode? writes, TempDirectory dir)
    {
        var all = writes!["writes"]!.AsArray();
        Assert.NotEmpty(all);
        Assert.DoesNotContain(all, w => w!["level"]!.GetValue<string>() == "high");
        var wav = dir.File("timeline.wav");
        Assert.True(!File.Exists(wav) || WavFile.Read(wav, "timeline").Samples.Length == 0, "something was played to the WAV");
    }

    private static JsonObject? Result(IReadOnlyList<HubMessage> messages, string jti) =>
        messages.Where(m => m.Kind == HubMessageKind.CommandResult).Select(m => m.Json)
            .FirstOrDefault(j => j?["command"]?.GetValue<string>() == jti);

    private static List<JsonObject> RefusedEvents(IReadOnlyList<HubMessage> messages) =>
        [.. messages.Where(m => m.Kind == HubMessageKind.Event).Select(m => m.Json!)
            .Where(j => j["type"]?.GetValue<string>() == "command-refused")];

    private static string Sign(ECDsa key, string jti, string cmd, string args)
    {
        var now = TimeProvider.System.GetUtcNow();
        return CommandToken.Sign(key, jti, "*", now, now.AddMinutes(5), cmd, args);
    }

    /// <summary>A running station with speakers and an uplink to a real mosquitto, the hub watching, the hub's key.</summary>
    private sealed class Rig : IAsyncDisposable
    {
        private Rig(MosquittoBroker broker, HubMonitor hub, TestProcess edgegw, ECDsa hubKey)
        {
            Broker = broker;
            Hub = hub;
            Edgegw = edgegw;
            HubKey = hubKey;
        }

        public MosquittoBroker Broker { get; }

        public HubMonitor Hub { get; }

        public TestProcess Edgegw { get; }

        public ECDsa HubKey { get; }

        // No scheduled self-test: it closes relays, and these tests prove none closes.
        public static async Task<Rig> StartAsync(TempDirectory dir, IReadOnlyDictionary<string, string> environment, Func<StationYaml, StationYaml>? inputs = null)
        {
            var hubKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            File.WriteAllText(dir.File("hub-command.pub"), hubKey.ExportSubjectPublicKeyInfoPem());
            var broker = await MosquittoBroker.StartAsync(Patience);
            var station = BroadcastStation.Yaml(dir, Station, "evacuate", TimeSpan.FromSeconds(1), "selfTest: 0s")
                .Uplink(broker.Port, more: $"commandKey: {dir.File("hub-command.pub")}");
            var config = (inputs ?? (s => s.FloodSwitch("evacuate")))(station).Write();
            var hub = await HubMonitor.ConnectAsync("127.0.0.1", broker.Port, "ews", Station, null, CancellationToken.None);
            var edgegw = EdgegwProcess.Start(["run", "--config", config], environment);
            var rig = new Rig(broker, hub, edgegw, hubKey);
            await edgegw.WaitForLineAsync("Control socket listening", Patience);
            await hub.WaitUntilAsync(m => m.Any(x => x.Kind == HubMessageKind.Status), Patience, CancellationToken.None);
            return rig;
        }

        public async ValueTask DisposeAsync()
        {
            await Edgegw.DisposeAsync();
            await Hub.DisposeAsync();
            await Broker.DisposeAsync();
            HubKey.Dispose();
        }
    }

    /// <summary>The hub's side: publishes (not retained) commands with QoS 1.</summary>
    private sealed class Publisher : IAsyncDisposable
    {
        private readonly IMqttClient _client;

        private Publisher(IMqttClient client) => _client = client;

        public static async Task<Publisher> ConnectAsync(int port)
        {
            var client = new MqttClientFactory().CreateMqttClient();
            await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port)
                .WithClientId("hub-" + Guid.NewGuid().ToString("N")).Build());
            return new Publisher(client);
        }

        public Task<MqttClientPublishResult> PublishAsync(string topic, string payload) =>
            _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

        public async ValueTask DisposeAsync()
        {
            await _client.DisconnectAsync();
            _client.Dispose();
        }
    }
}
