using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using EdgeGateway.Control;
using EdgeGateway.Demo;
using EdgeGateway.Hardware.Tests.Testing;
using EdgeGateway.Tests.TestSupport;
using Xunit.Abstractions;

namespace EdgeGateway.Tests.Hosting;

/// <summary>
/// Warning obligations through the real <c>edgegw run</c> process (simulated GPIO, a WAV timeline, a real
/// mosquitto with the hub as a subscriber): an evacuate broadcast survives kill -9 and preemption by people.
/// </summary>
[Trait("Category", "Faults")]
public sealed class BroadcastObligationProcessTests(ITestOutputHelper output) : IDisposable
{
    private const string StationId = "owed-01";
    private const string Prefix = "ews";
    private const int FloodLine = 27;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>
    /// 30 kills at random moments (seeded; set EDGEGW_FAULT_SEED to replay one run) between the evacuate level
    /// being raised and its broadcast ending: every restart plays the owed broadcast to the end, and the hub
    /// sees each of those attempts finish completed and marked resumed. Whether a kill landed inside the
    /// broadcast is read from what the dead process left in its state file; on a loaded machine a kill may
    /// come after the broadcast ended (then nothing is owed and nothing plays): a few such misses are
    /// retried, more fail the test.
    /// </summary>
    [Fact]
    public async Task Run_KilledAtRandomMomentsInsideEvacuateBroadcast_EveryRestartPlaysItToCompletion()
    {
        const int kills = 30;
        const int maxMisses = 5;
        var misses = 0;
        var seed = Environment.GetEnvironmentVariable("EDGEGW_FAULT_SEED") is { } text
            ? int.Parse(text, CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        output.WriteLine($"seed {seed} (EDGEGW_FAULT_SEED={seed} replays these kill moments)");
        var random = new Random(seed);
        await using var mosquitto = await MosquittoBroker.StartAsync(Patience);
        await using var hub = await HubMonitor.ConnectAsync("127.0.0.1", mosquitto.Port, Prefix, StationId, null, CancellationToken.None);
        var config = WriteStation(mosquitto.Port, evacuateClip: TimeSpan.FromSeconds(0.8), repeat: 2, commandKey: null);
        var socket = _dir.File("control.sock");
        var watch = Stopwatch.StartNew();

        var station = EdgegwProcess.Start("run", "--config", config);
        try
        {
            await station.WaitForLineAsync("Control socket listening", Patience);
            for (var i = 0; i < kills;)
            {
                // The broadcast: warm-up 50 ms, 0.8 s, gap 100 ms, 0.8 s. Kill inside its first 0.8 s (the
                // level was saved with what it owes before the line announcing it is written).
                await SetFloodSwitchAsync(socket, "low");
                await station.WaitForLineAsync("Station level none -> evacuate: broadcast evacuate", Patience);
                var delay = TimeSpan.FromMilliseconds(random.Next(0, 800));
                await Task.Delay(delay);
                await KillAsync(station);
                var owed = SavedObligation();
                output.WriteLine($"kill {i + 1}: {delay.TotalMilliseconds} ms after evacuate was raised; owed at death: {owed ?? "nothing"}");
                station = EdgegwProcess.Start("run", "--config", config);
                if (owed is null)
                {
                    // The broadcast had ended before the kill: nothing to play, try again.
                    Assert.True(++misses <= maxMisses, $"{misses} kills landed after the broadcast had ended");
                    await station.WaitForLineAsync("Control socket listening", Patience);
                    await ControlClient.SendAsync(socket, "alert.clear", new JsonObject { ["rule"] = "flood", ["actor"] = "test" }, Patience);
                    continue;
                }

                Assert.Equal("level:evacuate", owed);
                i++;
                await station.WaitForLineAsync("Broadcast evacuate ended: completed after 2 of 2", Patience);
                await station.WaitForLineAsync("Control socket listening", Patience);
                Assert.Contains("Owed broadcast level:evacuate plays again from the start of its message", station.StandardOutput, StringComparison.Ordinal);

                // Back to none for the next round (the latched rule stays at evacuate after a restart).
                var cleared = await ControlClient.SendAsync(socket, "alert.clear", new JsonObject { ["rule"] = "flood", ["actor"] = "test" }, Patience);
                Assert.NotNull(cleared);
            }

            await hub.WaitUntilAsync(m => ResumedCompletions(m) >= kills, Patience, CancellationToken.None);
        }
        finally
        {
            await station.DisposeAsync();
        }

        output.WriteLine($"{kills} kills inside the broadcast ({misses} after it) in {watch.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(kills, ResumedCompletions(hub.Messages));
        // Every finished broadcast the hub saw completed: none was lost, cut short or replaced by the siren.
        Assert.All(Finished(hub.Messages), f => Assert.Equal("completed", f["outcome"]?.GetValue<string>()));
    }

    /// <summary>
    /// A technician's <c>broadcast say</c> (the CLI) and then a signed hub broadcast command interrupt evacuate;
    /// each time evacuate plays again once the interruption ends, and finally completes.
    /// </summary>
    [Fact]
    public async Task Run_OperatorSayAndHubBroadcastDuringEvacuate_EvacuateResumesAndCompletes()
    {
        await using var mosquitto = await MosquittoBroker.StartAsync(Patience);
        await using var hub = await HubMonitor.ConnectAsync("127.0.0.1", mosquitto.Port, Prefix, StationId, null, CancellationToken.None);
        var keys = _dir.File("keys");
        var keygen = await EdgegwProcess.RunAsync("command", "keygen", "--out", keys);
        Assert.True(keygen.ExitCode == 0, keygen.Stderr);
        var config = WriteStation(mosquitto.Port, evacuateClip: TimeSpan.FromSeconds(1), repeat: 5, commandKey: Path.Combine(keys, "hub-command.pub"));
        var socket = _dir.File("control.sock");
        await using var station = EdgegwProcess.Start("run", "--config", config);
        await station.WaitForLineAsync("Control socket listening", Patience);
        await hub.WaitUntilAsync(m => m.Any(x => x.Kind == HubMessageKind.Status && x.Json?["state"]?.GetValue<string>() == "online"), Patience, CancellationToken.None);

        // Signed before the alarm, so it can go out the moment it is wanted.
        var token = await EdgegwProcess.RunAsync(
            "command", "sign", "--key", Path.Combine(keys, "hub-command.key"), "--aud", StationId, "--ttl", "5m",
            "--cmd", "broadcast", "--args", """{"message":"hub"}""");
        Assert.True(token.ExitCode == 0, token.Stderr);

        await SetFloodSwitchAsync(socket, "low");
        await hub.WaitUntilAsync(m => Started(m).Count == 1, Patience, CancellationToken.None);
        var say = await EdgegwProcess.RunAsync("broadcast", "say", "testing the microphone", "--voice", "en", "--socket", socket);
        Assert.True(say.ExitCode == 0, say.Stderr);
        // The say ends, evacuate plays again; while it does, the hub's own broadcast.
        await hub.WaitUntilAsync(m => Started(m).Count == 3, Patience, CancellationToken.None);
        await HubCommand.PublishAsync(mosquitto.Port, Prefix, StationId, token.Stdout.Trim());
        await hub.WaitUntilAsync(
            m => Finished(m).Any(f => f["source"]?.GetValue<string>() == "evacuate" && f["outcome"]?.GetValue<string>() == "completed"),
            Patience, CancellationToken.None);

        var started = Started(hub.Messages);
        var finished = Finished(hub.Messages);
        Assert.Equal(["evacuate", "say", "evacuate", "hub", "evacuate"], started.Select(e => e["source"]?.GetValue<string>()));
        Assert.Equal([false, false, true, false, true], started.Select(e => e["data"]?["resumed"]?.GetValue<bool>() ?? false));
        Assert.Equal(
            ["evacuate preempted", "say completed", "evacuate preempted", "hub completed", "evacuate completed"],
            finished.Select(e => $"{e["source"]} {e["outcome"]}"));
        Assert.Equal(true, finished[^1]["resumed"]?.GetValue<bool>());
        Assert.Contains(hub.Messages, m => m.Kind == HubMessageKind.CommandResult && m.Json?["ok"]?.GetValue<bool>() == true);

        // The timeline ends with evacuate's repeats played whole, after everything that interrupted it.
        var sounds = Timeline.Segments(_dir.File("timeline.wav")).Where(s => s.Sound).ToList();
        Assert.InRange(sounds[^1].FrequencyHz, 875, 885);
        Assert.InRange(sounds[^1].Duration, TimeSpan.FromSeconds(0.99), TimeSpan.FromSeconds(1.01));
    }

    /// <summary>The owed broadcast's key in the state file the station left, read as the next start would.</summary>
    private string? SavedObligation()
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_dir.File("data/alert-state.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT key FROM broadcast_owed";
        return command.ExecuteScalar() as string;
    }

    private static int ResumedCompletions(IReadOnlyList<HubMessage> messages) =>
        Finished(messages).Count(f => f["resumed"]?.GetValue<bool>() == true && f["outcome"]?.GetValue<string>() == "completed");

    private static List<JsonObject> Started(IReadOnlyList<HubMessage> messages) => Events(messages, "broadcast-started");

    /// <summary>broadcast-finished events as their <c>data</c>, with the event's <c>source</c> copied in.</summary>
    private static List<JsonObject> Finished(IReadOnlyList<HubMessage> messages) =>
        [.. Events(messages, "broadcast-finished").Select(e =>
        {
            var data = (JsonObject)e["data"]!.DeepClone();
            data["source"] = e["source"]?.GetValue<string>();
            return data;
        })];

    // Deduplicated on id (delivery is at least once) and in seq order.
    private static List<JsonObject> Events(IReadOnlyList<HubMessage> messages, string type) =>
        [.. messages.Where(m => m.Kind == HubMessageKind.Event && m.Json?["type"]?.GetValue<string>() == type)
            .DistinctBy(m => m.Id).OrderBy(m => m.Seq).Select(m => m.Json!)];

    private static async Task SetFloodSwitchAsync(string socket, string action)
    {
        var reply = await ControlClient.SendAsync(socket, "sim.gpio", new JsonObject { ["line"] = FloodLine, ["action"] = action }, Patience);
        Assert.NotNull(reply);
    }

    // kill -9 of a process still running (the signal fails if it is not).
    private static async Task KillAsync(TestProcess station)
    {
        await station.SignalAsync("KILL");
        station.Dispose();
    }

    // Short clips, warm-up, gap and tail so a round takes about as long as the process takes to start.
    private string WriteStation(int mqttPort, TimeSpan evacuateClip, int repeat, string? commandKey)
    {
        Tones.WriteSine(_dir.File("evacuate.wav"), 880, evacuateClip);
        Tones.WriteSine(_dir.File("hub.wav"), 990, TimeSpan.FromSeconds(0.5));
        Tones.WriteSine(_dir.File("test.wav"), 550, TimeSpan.FromSeconds(0.2));
        return new StationYaml(StationId, _dir)
            .DigitalSensor("flood-switch", FloodLine)
            .Alerting($"{{ id: evacuate, severity: Extreme, broadcast: {{ message: evacuate, repeat: {repeat} }} }}",
                "{ id: flood, sensor: flood-switch, when: active, level: evacuate, latch: true }")
            .Broadcast(_dir.File("timeline.wav"), $$"""
                gap: 100ms
                messages:
                  evacuate: { file: {{_dir.File("evacuate.wav")}} }
                  hub: { file: {{_dir.File("hub.wav")}} }
                  test: { file: {{_dir.File("test.wav")}} }
                """, warmup: "50ms", tail: "50ms")
            .Uplink(mqttPort, Prefix, more: commandKey is null ? null : $"commandKey: {commandKey}")
            .Write();
    }
}
