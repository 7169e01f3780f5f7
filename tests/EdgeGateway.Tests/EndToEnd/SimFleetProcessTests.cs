using System.Text.Json.Nodes;
using EdgeGateway.Demo;
using EdgeGateway.Tests.TestSupport;

namespace EdgeGateway.Tests.EndToEnd;

/// <summary>
/// <c>edgegw sim fleet</c> through the real process and a real mosquitto: every simulated station speaks with its
/// own id and its own seq, as the hub receiver will see a district.
/// </summary>
public sealed class SimFleetProcessTests : IDisposable
{
    private const string Prefix = "ews";
    private static readonly string[] Ids = ["fleet-0001", "fleet-0002", "fleet-0003"];
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    // One broker by host/port over MQTT 5; and a cluster over 3.1.1 whose first node refuses, so every
    // station moves on to the next one with its outbox and seq.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ThreeStations_EachOwnIdAndGaplessSeq_AlertsArrive_SigtermExitsZero(bool cluster)
    {
        await using var mosquitto = await MosquittoBroker.StartAsync(Patience);
        await using var hub = await HubMonitor.ConnectAsync("127.0.0.1", mosquitto.Port, Prefix, "+", null, CancellationToken.None);
        var template = WriteTemplate(mosquitto.Port, cluster);

        // The cluster case raises the three stations' alerts in one instant, the other at their own phases.
        await using var fleet = EdgegwProcess.Start(
            "sim", "fleet", "--stations", "3", "--template", template, "--telemetry", "200ms", "--alert-every", "1s",
            "--alert-phase", cluster ? "together" : "spread", "--json");
        // Per station: telemetry, both alerts of a round with their CAP, and every seq so far with none missing.
        await hub.WaitUntilAsync(m => Ids.All(id => Complete(Of(m, id))), Patience, CancellationToken.None);
        var seen = hub.Messages;
        var exit = await fleet.TerminateAsync(Patience);

        Assert.True(exit == 0, fleet.StandardError);
        var topics = seen.Where(m => m.Kind != HubMessageKind.Status).Select(m => m.Topic.Split('/')[1]).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(Ids, topics.Order(StringComparer.Ordinal));
        foreach (var id in Ids)
        {
            var mine = Of(seen, id);
            // Each message names the station of its topic: no station writes under another's id.
            Assert.All(mine.Where(m => m.Json is not null && m.Kind != HubMessageKind.Status),
                m => Assert.Equal(id, m.Json!["station"]?.GetValue<string>()));
            Assert.True(File.Exists(Path.Combine(_dir.File("data"), id, "uplink-outbox.db")), $"{id} has no outbox of its own");
        }

        var lines = fleet.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var last = JsonNode.Parse(lines[^1])!;
        Assert.Equal(3, last["stations"]!.GetValue<int>());
        Assert.Contains(lines, l => JsonNode.Parse(l)!["connected"]!.GetValue<int>() == 3);
        // The periodic lines may all precede the first PUBACK; the stop line counts every message sent.
        var stopped = System.Text.RegularExpressions.Regex.Match(fleet.StandardError, @"stopped: 3 stations, (\d+) messages sent");
        Assert.True(stopped.Success, fleet.StandardError);
        Assert.True(long.Parse(stopped.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 0, fleet.StandardError);
    }

    // --duration: creating stops, the outboxes empty, exit 0; the summary names every seq and alert the broker got.
    [Fact]
    public async Task Duration_DrainsEveryOutbox_SummaryListsWhatTheBrokerGot()
    {
        await using var mosquitto = await MosquittoBroker.StartAsync(Patience);
        await using var hub = await HubMonitor.ConnectAsync("127.0.0.1", mosquitto.Port, Prefix, "+", null, CancellationToken.None);
        var summaryPath = _dir.File("summary.json");

        var run = await EdgegwProcess.RunAsync(
            ["sim", "fleet", "--stations", "2", "--template", WriteTemplate(mosquitto.Port, cluster: false), "--telemetry", "200ms",
             "--alert-every", "1s", "--duration", "3s", "--drain-timeout", "60s", "--summary", summaryPath], Patience);

        Assert.True(run.ExitCode == 0, run.Stderr);
        var summary = JsonNode.Parse(File.ReadAllText(summaryPath))!;
        Assert.Equal(0, summary["queued"]!.GetValue<long>());
        var stations = summary["perStation"]!.AsArray();
        Assert.Equal(Ids[..2], stations.Select(s => s!["id"]!.GetValue<string>()));
        // Everything was acknowledged before the exit, so the subscriber gets every seq up to lastSeq.
        await hub.WaitUntilAsync(m => stations.All(s =>
            Of(m, s!["id"]!.GetValue<string>()).Where(x => x.Kind != HubMessageKind.Status && x.Seq is not null)
                .Select(x => x.Seq!.Value).ToHashSet().Count == s["lastSeq"]!.GetValue<long>()), Patience, CancellationToken.None);
        foreach (var station in stations)
        {
            var alerts = station!["alerts"]!.AsArray();
            Assert.True(alerts.Count >= 2, station.ToJsonString());
            var sent = Of(hub.Messages, station["id"]!.GetValue<string>()).Where(m => m.Kind == HubMessageKind.Alert)
                .Select(m => (m.Json!["time"]!.GetValue<string>(), m.Json["from"]!.GetValue<string>(), m.Json["to"]!.GetValue<string>())).ToList();
            Assert.Equal(alerts.Select(a => (a!["time"]!.GetValue<string>(), a["from"]!.GetValue<string>(), a["to"]!.GetValue<string>())), sent);

            // Each alert's seq and its way out: stored, handed to the client and acknowledged, none before it was created.
            var seqs = Of(hub.Messages, station["id"]!.GetValue<string>()).Where(m => m.Kind == HubMessageKind.Alert).Select(m => m.Seq!.Value);
            Assert.Equal(seqs, alerts.Select(a => a!["seq"]!.GetValue<long>()));
            foreach (var a in alerts)
            {
                var at = (string k) => DateTimeOffset.Parse(a![k]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(at("time") <= at("stored") && at("time") <= at("sent") && at("sent") <= at("acked"), a!.ToJsonString());
            }
        }
    }

    [Fact]
    public async Task Duration_BrokerNeverThere_ExitsOneAfterTheDrainTimeout_SummaryKeepsTheQueued()
    {
        var summaryPath = _dir.File("summary.json");
        var template = WriteTemplate(QuietStation.ClosedLoopbackPort(), cluster: false);

        var run = await EdgegwProcess.RunAsync(
            ["sim", "fleet", "--stations", "1", "--template", template, "--telemetry", "200ms", "--alert-every", "1s",
             "--duration", "1500ms", "--drain-timeout", "1s", "--summary", summaryPath], Patience);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("the outboxes did not empty within 1 s", run.Stderr, StringComparison.Ordinal);
        var station = JsonNode.Parse(File.ReadAllText(summaryPath))!["perStation"]![0]!;
        Assert.True(station["queued"]!.GetValue<long>() > 0, station.ToJsonString());
        Assert.Equal(station["queued"]!.GetValue<long>(), station["lastSeq"]!.GetValue<long>());
    }

    [Fact]
    public async Task NoUplinkInTemplate_OrNoStations_ExitsTwoAndSaysWhy()
    {
        var template = _dir.Write("no-uplink.yaml", File.ReadAllText(WriteTemplate(1883, cluster: false)).Split("uplink:")[0]);

        var noUplink = await EdgegwProcess.RunAsync("sim", "fleet", "--stations", "3", "--template", template);
        var none = await EdgegwProcess.RunAsync("sim", "fleet", "--stations", "0", "--template", template);
        var period = await EdgegwProcess.RunAsync("sim", "fleet", "--stations", "1", "--template", template, "--telemetry", "often");

        Assert.Equal(2, noUplink.ExitCode);
        Assert.Contains("the template has no uplink.mqtt section", noUplink.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("--stations 0 is not between 1 and 9999", none.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, period.ExitCode);
        Assert.Contains("--telemetry 'often' is not a duration", period.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir.File("data"), "fleet-0001")), "a refused run created a station");
    }

    private static List<HubMessage> Of(IReadOnlyList<HubMessage> messages, string id) =>
        [.. messages.Where(m => m.Topic.StartsWith($"{Prefix}/{id}/", StringComparison.Ordinal))];

    private static bool Complete(List<HubMessage> mine)
    {
        var alerts = mine.Where(m => m.Kind == HubMessageKind.Alert).Select(m => m.Json?["to"]?.GetValue<string>()).ToList();
        var seqs = mine.Where(m => m.Kind != HubMessageKind.Status && m.Seq is not null).Select(m => m.Seq!.Value).ToHashSet();
        return mine.Any(m => m.Kind == HubMessageKind.Telemetry)
            && alerts.Contains("evacuate") && alerts.Contains("none")
            && mine.Count(m => m.Kind == HubMessageKind.AlertCap) >= 2
            && seqs.Count > 0 && seqs.Min() == 1 && seqs.Max() == seqs.Count;
    }

    private string WriteTemplate(int mqttPort, bool cluster)
    {
        var mqtt = cluster
            ? $"{{ hosts: [\"127.0.0.1:{QuietStation.ClosedLoopbackPort()}\", \"127.0.0.1:{mqttPort}\"], protocol: \"3.1.1\", prefix: {Prefix} }}"
            : $"{{ host: 127.0.0.1, port: {mqttPort}, prefix: {Prefix} }}";
        return new StationYaml("fleet", _dir)
            .DigitalSensor("river", 27)
            .Alerting("{ id: evacuate, severity: Extreme }", "{ id: flood, sensor: river, when: active, level: evacuate }")
            .UplinkMqtt(mqtt)
            .Write();
    }
}
