using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EdgeGateway.Cli;
using EdgeGateway.Demo;
using EdgeGateway.Tests.TestSupport;

namespace EdgeGateway.Tests.Cli;

/// <summary>
/// What a technician reads over SSH from a bench station (the Modbus simulator, simulated GPIO, the file audio
/// sink, a real mosquitto): <c>edgegw status</c> text and JSON, <c>--watch</c>, and the service's own log lines.
/// </summary>
public sealed partial class StatusTextProcessTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Status_BenchStation_SaysWhyEachRuleIsWhereItIs_InEightyColumns_AndFloat32ReadsAsWrittenEverywhere()
    {
        using var dir = new TempDirectory();
        await using var broker = await MosquittoBroker.StartAsync(Patience);
        var modbusPort = Loopback.FreePort();
        var scenario = dir.Write("gauges.csv", """
            time,slave,table,address,type,order,value
            0s,1,holding,0,float32,ABCD,2.9
            0s,1,holding,10,uint32,ABCD,1234
            """);
        var config = BroadcastStation.Yaml(dir, "bench-09", "evacuate", TimeSpan.FromMilliseconds(500), "")
            .Uplink(broker.Port, telemetry: "1s")
            .Buses($$"""
                - id: rs485
                  modbus-tcp: { host: 127.0.0.1, port: {{modbusPort}} }
                  timeout: 500ms
                """)
            .RiverLevel("rs485")
            .Sensor("""
                - id: rain-counter
                  kind: rain-total
                  modbus: { bus: rs485, slave: 1, table: holding, address: 10, type: uint32, order: ABCD }
                  scale: 0.2
                  poll: 500ms
                """)
            .Sensor("""
                - id: rain-gauge
                  kind: rain-pulse
                  gpio: { pin: 17 }
                  mmPerTip: 0.2
                """)
            .DigitalSensor("flood-switch", 27)
            .Alerting("""
                levels: [ { id: prepare, severity: Severe }, { id: evacuate, severity: Extreme, broadcast: { message: evacuate, repeat: 1 } } ]
                rules:
                  - { id: river, sensor: river-level, measure: value, above: { prepare: 2.5, evacuate: 5 }, hold: 8s }
                  - { id: rain-1h, sensor: rain-gauge, measure: { sum: 1h }, above: { prepare: 30 } }
                  - { id: manual, sensor: flood-switch, when: active, level: evacuate, latch: true }
                """)
            .Write();
        var socket = dir.File("control.sock");
        await using var hub = await HubMonitor.ConnectAsync("127.0.0.1", broker.Port, "ews", "bench-09", null, CancellationToken.None);
        await using var sim = EdgegwProcess.Start("sim", "modbus", "--tcp", $"127.0.0.1:{modbusPort}", "--scenario", scenario);
        await sim.WaitForLineAsync("simulating slaves", Patience);
        await using var edgegw = EdgegwProcess.Start("run", "--config", config);
        await edgegw.WaitForLineAsync("Control socket listening", Patience);

        // The river reads 2.9 (above prepare 2.5): the 8 s hold runs, and status says so.
        var holding = await StatusWhenAsync(socket, s => Rule(s, "river")["rising"] is not null && Sensor(s, "rain-counter")["value"] is not null);
        var text = await StatusTextAsync(socket);

        Assert.Equal(2.9, Sensor(holding, "river-level")["value"]!.GetValue<double>());
        Assert.Equal("2.9", Sensor(holding, "river-level")["value"]!.ToJsonString());
        Assert.Equal("none", Rule(holding, "river")["level"]!.GetValue<string>());
        Assert.Equal("prepare", Rule(holding, "river")["rising"]!["to"]!.GetValue<string>());
        Assert.InRange(Rule(holding, "river")["rising"]!["remainingSeconds"]!.GetValue<long>(), 1, 8);
        AssertContractShape(holding);
        Assert.All(Lines(text), l => Assert.True(l.Length <= StatusCommands.Columns, $"{l.Length} columns: {l}"));
        Assert.Matches(@"(?m)^  rule   river +none +2\.9 m +prepare 2\.5 m, evacuate 5 m$", text);
        Assert.Matches(@"(?m)^       rising to prepare in \d s \(hold running\)$", text);
        Assert.Matches(@"(?m)^  sensor river-level +2\.9 m +good ", text);
        Assert.Matches(@"(?m)^  sensor rain-counter +246\.8 mm +good ", text);
        Assert.Matches(@"(?m)^  sensor rain-gauge +0 mm +good +no tips yet$", text);
        Assert.Matches(@"(?m)^  rule   rain-1h +none +0 mm +prepare 30 mm$", text);
        Assert.Contains("  last self-test: none since start", text, StringComparison.Ordinal);
        Assert.DoesNotContain("2.9000000953674316", text, StringComparison.Ordinal);

        // The hold ends: the rule rises with the measure as the register holds it, to the hub and in CAP.
        await hub.WaitUntilAsync(m => m.Any(a => IsAlert(a, "river", "prepare")) && m.Any(IsRiverCap), Patience, CancellationToken.None);
        var risen = await StatusTextAsync(socket);

        Assert.Contains("\"value\":2.9,\"threshold\":2.5,", hub.Messages.First(a => IsAlert(a, "river", "prepare")).Payload, StringComparison.Ordinal);
        Assert.Contains("<valueName>value</valueName><value>2.9</value>", Compact(hub.Messages.First(IsRiverCap).Payload), StringComparison.Ordinal);
        Assert.Contains("measure 2.9, threshold 2.5", Compact(hub.Messages.First(IsRiverCap).Payload), StringComparison.Ordinal);
        Assert.Contains(hub.OfKind(HubMessageKind.Telemetry), m => m.Payload.Contains("\"sensor\":\"river-level\",", StringComparison.Ordinal)
            && m.Payload.Contains("\"value\":2.9,\"unit\":\"m\"", StringComparison.Ordinal));
        Assert.DoesNotContain(hub.Messages, m => m.Payload.Contains("2.9000000953674316", StringComparison.Ordinal));
        Assert.Matches(@"(?m)^  rule   river +prepare +2\.9 m ", risen);
        Assert.DoesNotContain("rising to", risen, StringComparison.Ordinal);

        // A silent self-test, then the manual alarm: latched, and marked as such.
        var test = await EdgegwProcess.RunAsync("broadcast", "test", "--silent", "--socket", socket);
        Assert.True(test.ExitCode == ExitCodes.Success, test.Stderr);
        var tested = await StatusWhenAsync(socket, s => s["broadcast"]?["lastSelfTest"] is not null);
        var set = await EdgegwProcess.RunAsync("sim", "gpio", "27", "low", "--socket", socket);
        Assert.True(set.ExitCode == ExitCodes.Success, set.Stderr);
        var latched = await StatusWhenAsync(socket, s => Rule(s, "manual")["latched"]!.GetValue<bool>());
        var latchedText = await StatusTextAsync(socket);

        Assert.Equal("passed", tested["broadcast"]!["lastSelfTest"]!["outcome"]!.GetValue<string>());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", tested["broadcast"]!["lastSelfTest"]!["time"]!.GetValue<string>());
        Assert.Equal("evacuate", Rule(latched, "manual")["level"]!.GetValue<string>());
        Assert.Matches(@"(?m)^  rule   manual +evacuate +active +when active$", latchedText);
        Assert.Contains("       LATCHED: stays until 'edgegw alert clear manual'", latchedText, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^  last self-test \S+ passed \(silent self-test\)$", latchedText);
        Assert.DoesNotContain("playing playing", latchedText, StringComparison.Ordinal);
        Assert.All(Lines(latchedText), l => Assert.True(l.Length <= StatusCommands.Columns, $"{l.Length} columns: {l}"));

        // The service's own log: short categories, no framework noise, the rise once, no "(null)".
        await edgegw.TerminateAsync();
        Assert.Equal(ExitCodes.Success, await edgegw.WaitForExitAsync(Patience));
        var log = Lines(edgegw.StandardOutput);
        Assert.DoesNotContain(log, l => l.Contains("Content root path", StringComparison.Ordinal) || l.Contains("Hosting environment", StringComparison.Ordinal)
            || l.Contains("Application started", StringComparison.Ordinal) || l.Contains("(null)", StringComparison.Ordinal));
        Assert.All(log, l => Assert.Matches(TerminalLine(), l));
        Assert.Single(log, l => l.EndsWith("warn: StationPipeline[700] Rule river: none -> prepare (measure 2.9, threshold 2.5)", StringComparison.Ordinal));
        Assert.Single(log, l => l.EndsWith("warn: StationPipeline[711] Rule manual: none -> evacuate (input 1)", StringComparison.Ordinal));
        Assert.Single(log, l => l.Contains("Station level none -> prepare", StringComparison.Ordinal));
        Assert.Contains(log, l => l.EndsWith("warn: BroadcastController[609] Station level none -> prepare: broadcast none (level has no broadcast)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_LogLevelWarningUnderTheJournal_WritesOnlyAlarmsWithTheirPriorityAndShortCategories()
    {
        using var dir = new TempDirectory();
        var config = QuietStation.Builder(dir, QuietStation.ClosedLoopbackPort()).Section("logging: { level: debug }").Write();
        var socket = dir.File("control.sock");

        // systemd sets JOURNAL_STREAM for a unit whose output goes to the journal; --log-level beats the file.
        await using var edgegw = EdgegwProcess.Start(["run", "--config", config, "--log-level", "warning"],
            new Dictionary<string, string> { ["JOURNAL_STREAM"] = "8:4242" });
        await StatusWhenAsync(socket, s => s["stationLevel"] is not null);
        var set = await EdgegwProcess.RunAsync("sim", "gpio", "27", "low", "--socket", socket);
        Assert.True(set.ExitCode == ExitCodes.Success, set.Stderr);
        await edgegw.WaitForLineAsync("Station level none -> evacuate", Patience);
        await edgegw.TerminateAsync();
        Assert.Equal(ExitCodes.Success, await edgegw.WaitForExitAsync(Patience));

        var log = Lines(edgegw.StandardOutput);
        Assert.Contains("<4>StationPipeline[711]: Rule flood: none -> evacuate (input 1)", log);
        Assert.Contains("<4>StationPipeline[712]: Station level none -> evacuate", log);
        Assert.All(log, l => Assert.Matches(@"^<[0-4]>[A-Za-z]{1,24}\[\d+\]: \S", l));
        Assert.DoesNotContain(log, l => l.Contains("Content root path", StringComparison.Ordinal) || l.Contains("started", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StatusWatch_ServiceDownThenUp_SaysNotRunningKeepsTryingThenShowsTheStation_CtrlCExitsZero()
    {
        using var dir = new TempDirectory();
        var socket = dir.File("control.sock");
        var config = dir.Write("station.yaml", QuietStation.Yaml(dir, QuietStation.ClosedLoopbackPort()));
        await using var watch = EdgegwProcess.Start("status", "--watch", "--socket", socket);
        await watch.WaitForLineAsync("edge-gateway not running", Patience);

        await using var edgegw = EdgegwProcess.Start("run", "--config", config);
        await watch.WaitForLineAsync("station bench-01", Patience);
        await watch.SignalAsync("INT");

        Assert.Equal(ExitCodes.Success, await watch.WaitForExitAsync(Patience));
        var frames = watch.StandardOutput.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.True(frames.Length >= 2, watch.StandardOutput);
        Assert.StartsWith("edge-gateway not running (", frames[0], StringComparison.Ordinal);
        Assert.StartsWith("station bench-01 ", frames[^1].TrimStart('\n'), StringComparison.Ordinal);
        Assert.All(Lines(watch.StandardOutput), l => Assert.True(l.Length <= StatusCommands.Columns, $"{l.Length} columns: {l}"));
        Assert.Equal("", watch.StandardError);
    }

    // The contract's shape: sensors[] {id, value, unit, quality, ageSeconds, fault?}; rules[] {id, level, measure,
    // thresholds, latched, rising, falling}; broadcast.lastSelfTest.
    private static void AssertContractShape(JsonObject status)
    {
        foreach (var sensor in status["sensors"]!.AsArray().Select(s => s!.AsObject()))
        {
            Assert.Subset(sensor.Select(p => p.Key).ToHashSet(), new HashSet<string> { "id", "value", "unit", "quality", "ageSeconds" });
        }

        foreach (var rule in status["rules"]!.AsArray().Select(r => r!.AsObject()))
        {
            Assert.Subset(rule.Select(p => p.Key).ToHashSet(), new HashSet<string> { "id", "level", "measure", "thresholds", "latched", "rising", "falling" });
            Assert.IsType<JsonObject>(rule["thresholds"]);
        }

        Assert.Equal(2.5, Rule(status, "river")["thresholds"]!["prepare"]!.GetValue<double>());
        Assert.Null(Rule(status, "river")["falling"]);
        Assert.False(Rule(status, "manual")["latched"]!.GetValue<bool>());
        Assert.Equal("m", Sensor(status, "river-level")["unit"]!.GetValue<string>());
        Assert.Equal(246.8, Sensor(status, "rain-counter")["value"]!.GetValue<double>());
        Assert.Equal(0, Sensor(status, "rain-gauge")["value"]!.GetValue<double>());
        Assert.True(status["broadcast"]!.AsObject().ContainsKey("lastSelfTest"));
    }

    private static JsonObject Rule(JsonObject status, string id) =>
        status["rules"]!.AsArray().Single(r => r!["id"]!.GetValue<string>() == id)!.AsObject();

    private static JsonObject Sensor(JsonObject status, string id) =>
        status["sensors"]!.AsArray().Single(s => s!["id"]!.GetValue<string>() == id)!.AsObject();

    private static bool IsAlert(HubMessage m, string rule, string to) =>
        m.Kind == HubMessageKind.Alert && m.Json?["rule"]?.GetValue<string>() == rule && m.Json?["to"]?.GetValue<string>() == to;

    private static bool IsRiverCap(HubMessage m) =>
        m.Kind == HubMessageKind.AlertCap && m.Payload.Contains("Rule river changed from none to prepare", StringComparison.Ordinal);

    private static string Compact(string xml) => Regex.Replace(xml, @">\s+<", "><");

    /// <summary>Asks for status until <paramref name="condition"/> holds (the service answers between polls).</summary>
    private static async Task<JsonObject> StatusWhenAsync(string socket, Func<JsonObject, bool> condition)
    {
        string last = "";
        JsonObject? seen = null;
        await Eventually.TrueAsync(
            async () =>
            {
                var (code, stdout, stderr) = await EdgegwProcess.RunAsync("status", "--socket", socket, "--json");
                last = code == ExitCodes.Success ? stdout : stderr;
                seen = code == ExitCodes.Success && JsonNode.Parse(stdout) is JsonObject status && condition(status) ? status : null;
                return seen is not null;
            },
            Patience,
            () => Task.FromResult("status never showed what was awaited; last answer: " + last),
            TimeSpan.FromMilliseconds(200));
        return seen!;
    }

    private static async Task<string> StatusTextAsync(string socket)
    {
        var (code, stdout, stderr) = await EdgegwProcess.RunAsync("status", "--socket", socket);
        Assert.True(code == ExitCodes.Success, stderr);
        return stdout;
    }

    private static List<string> Lines(string text) =>
        [.. text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0)];

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (trce|dbug|info|warn|fail|crit): [A-Za-z]{1,24}\[\d+\] \S")]
    private static partial Regex TerminalLine();
}
