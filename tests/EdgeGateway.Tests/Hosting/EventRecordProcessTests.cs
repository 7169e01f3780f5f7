using System.Text.Json.Nodes;
using EdgeGateway.Cli;
using EdgeGateway.Demo;
using EdgeGateway.Hardware.Tests.Testing;
using EdgeGateway.Tests.TestSupport;

namespace EdgeGateway.Tests.Hosting;

/// <summary>
/// The station's own record (<c>edgegw events</c>), <c>broadcast ... --wait</c> and <c>history export</c>, through
/// the real service (simulated GPIO, the file audio sink) and the real CLI, with mosquitto standing in for the
/// hub where the hub's copy is compared, and with no broker at all where the record must stand alone.
/// </summary>
public sealed class EventRecordProcessTests : IDisposable
{
    private const string StationId = "events-01";
    private const string Prefix = "ews";
    private const int AlarmLine = 22;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Events_TransitionBroadcastClearAndPreemptedPlay_InOrder_JsonLinesAreWhatTheHubReceived()
    {
        await using var mosquitto = await MosquittoBroker.StartAsync(Patience);
        await using var hub = await HubMonitor.ConnectAsync("127.0.0.1", mosquitto.Port, Prefix, StationId, null, CancellationToken.None);
        var keys = _dir.File("keys");
        Assert.Equal(0, (await EdgegwProcess.RunAsync("command", "keygen", "--out", keys)).ExitCode);
        var config = WriteStation(mosquitto.Port, Path.Combine(keys, "hub-command.pub"));
        var socket = _dir.File("control.sock");
        var token = await EdgegwProcess.RunAsync(
            "command", "sign", "--key", Path.Combine(keys, "hub-command.key"), "--aud", StationId, "--ttl", "5m",
            "--cmd", "broadcast", "--args", """{"message":"hub","priority":1}""");
        Assert.True(token.ExitCode == 0, token.Stderr);
        await using var station = EdgegwProcess.Start("run", "--config", config);
        await station.WaitForLineAsync("Control socket listening", Patience);
        await hub.WaitUntilAsync(m => m.Any(x => x.Kind == HubMessageKind.Status && x.Json?["state"]?.GetValue<string>() == "online"), Patience, CancellationToken.None);

        // The manual alarm: evacuate (latched), its broadcast; then the officer's clear.
        Assert.Equal(0, (await EdgegwProcess.RunAsync("sim", "gpio", "22", "low", "--socket", socket)).ExitCode);
        await hub.WaitUntilAsync(m => Finished(m).Any(f => f["source"]?.GetValue<string>() == "evacuate"), Patience, CancellationToken.None);
        Assert.Equal(0, (await EdgegwProcess.RunAsync("sim", "gpio", "22", "high", "--socket", socket)).ExitCode);
        var clear = await EdgegwProcess.RunAsync("alert", "clear", "manual", "--socket", socket);
        Assert.True(clear.ExitCode == 0, clear.Stderr);

        // A technician's play, waited for, preempted by the hub's higher-priority broadcast.
        await using var play = EdgegwProcess.Start("broadcast", "play", "long", "--wait", "--socket", socket);
        await hub.WaitUntilAsync(m => Started(m).Any(s => s["source"]?.GetValue<string>() == "long"), Patience, CancellationToken.None);
        await HubCommand.PublishAsync(mosquitto.Port, Prefix, StationId, token.Stdout.Trim());
        var playCode = await play.WaitForExitAsync(Patience);
        await hub.WaitUntilAsync(m => Finished(m).Any(f => f["source"]?.GetValue<string>() == "hub"), Patience, CancellationToken.None);

        var text = await EdgegwProcess.RunAsync("events", "--config", config);
        var json = await EdgegwProcess.RunAsync("events", "--json", "--socket", socket);
        var alerts = await EdgegwProcess.RunAsync("events", "--type", "alert", "--since", "1h", "--socket", socket);
        var typo = await EdgegwProcess.RunAsync("events", "--type", "broadcast-finshed", "--socket", socket);

        Assert.True(playCode == ExitCodes.Failure, play.StandardOutput + play.StandardError);
        Assert.Contains("ended: preempted", play.StandardOutput, StringComparison.Ordinal);

        Assert.True(text.ExitCode == 0, text.Stderr);
        var lines = text.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"{l.Length} columns: {l}"));
        int At(string type, string gist) => lines.FindIndex(l => l[15..].StartsWith(type, StringComparison.Ordinal) && l.Contains(gist, StringComparison.Ordinal));
        var rise = At("alert", "rule manual: none -> evacuate (1)");
        var played = At("broadcast-finished", "broadcast evacuate completed");
        var cleared = At("operator-action", "alert clear by cli:");
        var fell = At("alert", "rule manual: evacuate -> none");
        var preempted = At("broadcast-finished", "broadcast long preempted");
        // The clear's transitions first, then the operator action that caused them (audited with its outcome).
        Assert.True(rise >= 0 && rise < played && played < fell && fell < cleared && cleared < preempted, string.Join('\n', lines));

        Assert.True(json.ExitCode == 0, json.Stderr);
        var entries = json.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(entries.Length == lines.Count, json.Stdout);
        var sent = hub.Messages.Where(m => m.Kind is HubMessageKind.Alert or HubMessageKind.Event).ToDictionary(m => m.Seq!.Value, m => m.Payload);
        foreach (var entry in entries)
        {
            var seq = JsonNode.Parse(entry)!["seq"]!.GetValue<long>();
            Assert.True(sent.TryGetValue(seq, out var payload), $"the hub never received seq {seq}: {entry}");
            Assert.Equal(payload, entry);
        }

        Assert.True(alerts.ExitCode == 0, alerts.Stderr);
        var alertLines = alerts.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, alertLines.Length); // rule and station, up and down
        Assert.All(alertLines, l => Assert.Equal("alert ", l[15..21]));

        Assert.Equal(ExitCodes.Usage, typo.ExitCode);
        Assert.Contains("no event type 'broadcast-finshed'; did you mean 'broadcast-finished'?", typo.Stderr, StringComparison.Ordinal);
        Assert.Contains("See 'edgegw events --help'.", typo.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoBroker_SilentTestWaitPasses_AndTheRecordStillReads()
    {
        var config = WriteStation(QuietStation.ClosedLoopbackPort(), commandKey: null);
        var socket = _dir.File("control.sock");
        await using var station = EdgegwProcess.Start("run", "--config", config);
        await station.WaitForLineAsync("Control socket listening", Patience);

        var test = await EdgegwProcess.RunAsync("broadcast", "test", "--silent", "--wait", "--socket", socket);
        Assert.Equal(0, (await EdgegwProcess.RunAsync("sim", "gpio", "22", "low", "--socket", socket)).ExitCode);
        await station.WaitForLineAsync("Station level none -> evacuate", Patience);
        var selfTests = await EdgegwProcess.RunAsync("events", "--type", "self-test", "--config", config);
        var alerts = await EdgegwProcess.RunAsync("events", "--type", "alert", "--json", "--socket", socket);

        Assert.True(test.ExitCode == 0, test.Stdout + test.Stderr);
        Assert.Contains("ended: passed", test.Stdout, StringComparison.Ordinal);
        Assert.True(selfTests.ExitCode == 0, selfTests.Stderr);
        Assert.Contains("silent self-test passed", selfTests.Stdout, StringComparison.Ordinal);
        Assert.True(alerts.ExitCode == 0, alerts.Stderr);
        var entries = alerts.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(["rule manual none evacuate", "station station none evacuate"], entries.Select(e => $"{e["scope"]} {e["rule"]} {e["from"]} {e["to"]}"));
        // The contract's alert payload: common fields first, then the transition.
        Assert.Equal(
            ["station", "id", "time", "seq", "scope", "rule", "from", "to", "value", "threshold", "severity"],
            entries[0].AsObject().Select(p => p.Key));
        Assert.Equal(StationId, entries[0]["station"]!.GetValue<string>());
    }

    [Fact]
    public async Task NoUplinkSection_TransitionAndBroadcast_AreRecorded_SeqGoesOnAfterARestart()
    {
        var config = WriteStation(mqttPort: null, commandKey: null);
        var socket = _dir.File("control.sock");
        var first = EdgegwProcess.Start("run", "--config", config);
        ProcessResult text, json;
        await using (first)
        {
            await first.WaitForLineAsync("Control socket listening", Patience);
            Assert.Equal(0, (await EdgegwProcess.RunAsync("sim", "gpio", "22", "low", "--socket", socket)).ExitCode);
            await WaitForRecordAsync(socket, "broadcast-finished");
            text = await EdgegwProcess.RunAsync("events", "--config", config);
            json = await EdgegwProcess.RunAsync("events", "--json", "--socket", socket);
            Assert.Equal(0, await first.TerminateAsync(Patience));
        }

        await using var second = EdgegwProcess.Start("run", "--config", config);
        await second.WaitForLineAsync("Control socket listening", Patience);
        var test = await EdgegwProcess.RunAsync("broadcast", "test", "--silent", "--wait", "--socket", socket);
        var after = await EdgegwProcess.RunAsync("events", "--json", "--socket", socket);

        Assert.True(text.ExitCode == 0, text.Stderr);
        var lines = text.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        int At(string type, string gist) => lines.FindIndex(l => l[15..].StartsWith(type, StringComparison.Ordinal) && l.Contains(gist, StringComparison.Ordinal));
        var rise = At("alert", "rule manual: none -> evacuate (1)");
        var played = At("broadcast-finished", "broadcast evacuate completed");
        Assert.True(rise >= 0 && rise < played, text.Stdout);

        Assert.True(json.ExitCode == 0, json.Stderr);
        var entries = json.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(lines.Count, entries.Count);
        var alert = entries.First(e => e["rule"]?.GetValue<string>() == "manual");
        Assert.Equal(
            ["station", "id", "time", "seq", "scope", "rule", "from", "to", "value", "threshold", "severity"],
            alert.AsObject().Select(p => p.Key));
        Assert.Equal("Extreme", alert["severity"]!.GetValue<string>());
        var finished = entries.First(e => e["type"]?.GetValue<string>() == "broadcast-finished");
        Assert.Equal(["station", "id", "time", "seq", "type"], finished.AsObject().Select(p => p.Key).Take(5));
        Assert.All(entries, e => Assert.Equal(StationId, e["station"]!.GetValue<string>()));
        // Recorded once each, numbered from 1 in the order written (listed by time, which a transition and
        // the broadcast it starts may share).
        Assert.Equal(Enumerable.Range(1, entries.Count).Select(i => (long)i), entries.Select(e => e["seq"]!.GetValue<long>()).Order());

        Assert.True(test.ExitCode == 0, test.Stdout + test.Stderr);
        Assert.True(after.ExitCode == 0, after.Stderr);
        var kept = after.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(json.Stdout, string.Concat(after.Stdout.Split('\n').Take(entries.Count).Select(l => l + "\n")));
        var selfTest = kept.Single(e => e["type"]?.GetValue<string>() == "self-test");
        Assert.True(selfTest["seq"]!.GetValue<long>() > entries.Count, after.Stdout);
        Assert.Equal(kept.Count, kept.Select(e => e["seq"]!.GetValue<long>()).Distinct().Count());
    }

    [Fact]
    public async Task HistoryExport_WhileRunning_ReplaysToTheServicesOwnTransitions()
    {
        var config = WriteStation(QuietStation.ClosedLoopbackPort(), commandKey: null, flood: true);
        var socket = _dir.File("control.sock");
        var first = EdgegwProcess.Start("run", "--config", config);
        await using (first)
        {
            await first.WaitForLineAsync("Control socket listening", Patience);
            Assert.Equal(0, (await EdgegwProcess.RunAsync("sim", "gpio", "27", "low", "--socket", socket)).ExitCode);
            await first.WaitForLineAsync("Station level none -> evacuate", Patience);
            Assert.Equal(0, (await EdgegwProcess.RunAsync("sim", "gpio", "27", "high", "--socket", socket)).ExitCode);
            await first.WaitForLineAsync("Station level evacuate -> none", Patience);
            // Replay judges up to the last reading: one after the step down, from a sensor no rule watches.
            Assert.Equal(0, (await EdgegwProcess.RunAsync("sim", "gpio", "22", "low", "--socket", socket)).ExitCode);
            await WaitForSensorAsync(socket, "door", 1); // the history has it once the pipeline has
            // Stopping writes the readings the history still held in memory.
            Assert.Equal(0, await first.TerminateAsync(Patience));
        }

        await using var second = EdgegwProcess.Start("run", "--config", config);
        await second.WaitForLineAsync("Control socket listening", Patience);
        var recorded = await EdgegwProcess.RunAsync("events", "--type", "alert", "--json", "--socket", socket);
        var export = await EdgegwProcess.RunAsync("history", "export", "--since", "1h", "--config", config);
        var csv = _dir.Write("export.csv", export.Stdout);
        var replay = await EdgegwProcess.RunAsync("replay", "--config", config, "--readings", csv, "--json");
        var unknown = await EdgegwProcess.RunAsync("history", "export", "--sensor", "flood-swich", "--config", config);

        Assert.True(export.ExitCode == 0, export.Stderr);
        Assert.StartsWith("time,sensor,value\n", export.Stdout, StringComparison.Ordinal);
        Assert.Contains(",flood-switch,1\n", export.Stdout, StringComparison.Ordinal);
        Assert.True(replay.ExitCode == 0, replay.Stderr);
        var service = recorded.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        var replayed = replay.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(4, service.Count);
        Assert.Equal(
            service.Select(e => $"{e["scope"]} {e["from"]} {e["to"]}"),
            replayed.Select(e => $"{e["scope"]} {e["from"]} {e["to"]}"));
        for (var i = 0; i < service.Count; i++)
        {
            // The rise comes with a reading (the same second); the step down on the service's once-a-second
            // tick, which may fall up to a second after the exact instant replay computes.
            var at = DateTimeOffset.Parse(service[i]["time"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
            var then = DateTimeOffset.Parse(replayed[i]["time"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(at - then, TimeSpan.Zero, TimeSpan.FromSeconds(2));
        }

        Assert.Equal(ExitCodes.Usage, unknown.ExitCode);
        Assert.Contains("no sensor 'flood-swich'; did you mean 'flood-switch'?", unknown.Stderr, StringComparison.Ordinal);
    }

    private static Task WaitForRecordAsync(string socket, string type) =>
        Eventually.TrueAsync(
            async () =>
            {
                var answer = await EdgeGateway.Control.ControlClient.SendAsync(socket, "events", new JsonObject { ["types"] = new JsonArray(type) }, Patience, CancellationToken.None);
                return answer?["events"]?.AsArray().Count > 0;
            },
            Patience,
            () => Task.FromResult($"no '{type}' record"),
            TimeSpan.FromMilliseconds(50));

    private static Task WaitForSensorAsync(string socket, string sensor, double value) =>
        Eventually.TrueAsync(
            async () =>
            {
                var status = await EdgeGateway.Control.ControlClient.SendAsync(socket, "status", null, Patience, CancellationToken.None);
                return status?["sensors"]?.AsArray().Any(s => s?["id"]?.GetValue<string>() == sensor && s["value"]?.GetValue<double>() == value) == true;
            },
            Patience,
            () => Task.FromResult($"sensor '{sensor}' never read {value}"),
            TimeSpan.FromMilliseconds(50));

    private static List<JsonNode> Started(IReadOnlyList<HubMessage> messages) => OfType(messages, "broadcast-started");

    private static List<JsonNode> Finished(IReadOnlyList<HubMessage> messages) => OfType(messages, "broadcast-finished");

    private static List<JsonNode> OfType(IReadOnlyList<HubMessage> messages, string type) =>
        [.. messages.Where(m => m.Kind == HubMessageKind.Event && m.Json?["type"]?.GetValue<string>() == type).Select(m => (JsonNode)m.Json!)];

    private const string Level = "{ id: evacuate, severity: Extreme, broadcast: { message: evacuate, repeat: 1 } }";

    // Short clips so a round takes about as long as the process takes to start; a long one to be preempted.
    private string WriteStation(int? mqttPort, string? commandKey, bool flood = false)
    {
        Tones.WriteSine(_dir.File("evacuate.wav"), 880, TimeSpan.FromSeconds(0.3));
        Tones.WriteSine(_dir.File("long.wav"), 660, TimeSpan.FromSeconds(30));
        Tones.WriteSine(_dir.File("hub.wav"), 990, TimeSpan.FromSeconds(0.3));
        Tones.WriteSine(_dir.File("test.wav"), 550, TimeSpan.FromSeconds(0.2));
        var station = new StationYaml(StationId, _dir)
            .Broadcast(_dir.File("timeline.wav"), $$"""
                gap: 100ms
                messages:
                  evacuate: { file: {{_dir.File("evacuate.wav")}} }
                  long: { file: {{_dir.File("long.wav")}} }
                  hub: { file: {{_dir.File("hub.wav")}} }
                  test: { file: {{_dir.File("test.wav")}} }
                """, warmup: "50ms", tail: "50ms");
        if (flood)
        {
            station.DigitalSensor("flood-switch", 27).DigitalSensor("door", 22)
                .Alerting(Level, "{ id: flood, sensor: flood-switch, when: active, level: evacuate }", "clearAfter: 2s");
        }
        else
        {
            station.DigitalSensor("alarm-button", AlarmLine)
                .Alerting(Level, "{ id: manual, sensor: alarm-button, when: active, level: evacuate, latch: true }", "clearAfter: 2s");
        }

        if (mqttPort is { } port)
        {
            station.Uplink(port, Prefix, more: commandKey is null ? null : $"commandKey: {commandKey}");
        }

        return station.Write();
    }
}
