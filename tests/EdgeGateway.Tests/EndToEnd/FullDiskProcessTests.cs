using System.Text.Json.Nodes;
using EdgeGateway.Cli;
using EdgeGateway.Demo;
using EdgeGateway.Hardware.Audio;

namespace EdgeGateway.Tests.EndToEnd;

/// <summary>
/// <c>edgegw run</c> with storage.path on a small tmpfs that a filler file fills to ENOSPC while the station
/// runs against a real mosquitto: the station keeps warning, shows the fault, and recovers when space returns.
/// </summary>
[Trait("Category", "Faults")]
public sealed class FullDiskProcessTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private const string StationId = "tmpfs-01";

    private readonly TempDirectory _dir = new();
    private readonly string _storage;
    private bool _mounted;

    public FullDiskProcessTests()
    {
        _storage = _dir.File("data");
        Directory.CreateDirectory(_storage);
    }

    public async Task InitializeAsync()
    {
        await RunAsync("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", _storage);
        _mounted = true;
    }

    private string Config(int brokerPort) => new StationYaml(StationId, _dir)
        .Storage(_storage)
        .Sensor("""
            - id: rain-gauge
              kind: rain-pulse
              unit: mm
              gpio: { pin: 17, edge: falling, pull: up, debounce: 10ms }
              mmPerTip: 0.5
            """)
        .DigitalSensor("alarm-button", 22, "debounce: 20ms")
        .Alerting("""
            levels:
              - { id: watch, severity: Moderate }
              - { id: evacuate, severity: Extreme, broadcast: { message: evacuate, repeat: 1 } }
            rules:
              - { id: manual, sensor: alarm-button, when: active, level: evacuate, latch: true }
            """)
        .Broadcast(_dir.File("broadcast.wav"), $$"""
            gap: 100ms
            messages:
              evacuate: { file: {{_dir.File("evacuate.wav")}} }
            """)
        .Uplink(brokerPort, telemetry: "1s")
        .ToString();

    private static string? Type(HubMessage m) => m.Json?["type"]?.GetValue<string>();

    private static bool Source(IEnumerable<HubMessage> messages, string type, string store) =>
        messages.Any(x => Type(x) == type && x.Json?["source"]?.GetValue<string>() == store);

    [Fact]
    public async Task DiskFills_AlarmStillPlaysAndReachesHub_StatusShowsFault_SpaceReturns_TelemetryResumesEverySeqOnce()
    {
        WavFile.Write(_dir.File("evacuate.wav"), SirenTone.Generate(TimeSpan.FromMilliseconds(300)));
        await using var mosquitto = await MosquittoBroker.StartAsync(Patience);
        var config = _dir.Write("station.yaml", Config(mosquitto.Port));
        await using var hub = await HubMonitor.ConnectAsync("127.0.0.1", mosquitto.Port, "ews", StationId, null, CancellationToken.None);
        await using var edgegw = EdgegwProcess.Start("run", "--config", config);
        await edgegw.WaitForLineAsync($"Station {StationId} started", Patience);
        await Until(hub, edgegw, m => m.Any(x => x.Kind == HubMessageKind.Status && x.Json?["state"]?.GetValue<string>() == "online"),
            Patience, CancellationToken.None);

        // Fill the disk to the last byte.
        var telemetryBefore = hub.Messages.Count(x => x.Kind == HubMessageKind.Telemetry);
        var filler = Path.Combine(_storage, "filler");
        Fill(filler);
        Assert.True(new DriveInfo(_storage).AvailableFreeSpace < 4096);

        // Rain while the disk is full: readings go to the rules and into telemetry that cannot be saved yet.
        await Tips(config);

        // The officer presses the manual alarm: the level change still plays and still reaches the hub.
        await Press(edgegw, config);
        await Until(hub, edgegw,
            m => m.Any(x => x.Kind == HubMessageKind.Alert && x.Json?["to"]?.GetValue<string>() == "evacuate" && x.Json?["scope"]?.GetValue<string>() == "station")
                && m.Any(x => Type(x) == "broadcast-finished"),
            Patience, CancellationToken.None);
        Assert.True(WavFile.Read(_dir.File("broadcast.wav"), "played").Duration >= TimeSpan.FromMilliseconds(300));
        // The level could not be saved either; the broadcast went on regardless.
        await Until(hub, edgegw, m => Source(m, "storage-fault", "outbox") && Source(m, "storage-fault", "alert-state"),
            Patience, CancellationToken.None);

        // Status shows the fault: edgegw status (JSON and text) and the retained status health.
        var (statusCode, statusJson, statusErr) = await EdgegwProcess.RunAsync("status", "--json", "--config", config);
        Assert.True(statusCode == ExitCodes.Success, statusErr);
        var fault = JsonNode.Parse(statusJson)!["health"]!["storageFault"]?.GetValue<string>();
        Assert.False(string.IsNullOrEmpty(fault), statusJson);
        var (_, statusText, _) = await EdgegwProcess.RunAsync("status", "--config", config);
        Assert.Contains("STORAGE FAULT", statusText, StringComparison.Ordinal);
        // The station's own record stays readable on the full disk (it holds what it could write before).
        var (eventsCode, eventsText, eventsErr) = await EdgegwProcess.RunAsync("events", "--config", config);
        Assert.True(eventsCode == ExitCodes.Success, eventsErr);
        Assert.NotEqual("", eventsText.Trim());
        await Until(hub, edgegw, m => m.Any(x => x.Kind == HubMessageKind.Status && x.Json?["storageFault"] is not null),
            Patience, CancellationToken.None);

        // Space returns: no restart, the faults end, and the telemetry that waited in memory is written and sent.
        File.Delete(filler);
        await Until(hub, edgegw,
            m => Source(m, "storage-recovered", "outbox") && Source(m, "storage-recovered", "alert-state")
                && m.Count(x => x.Kind == HubMessageKind.Telemetry) >= telemetryBefore + 2,
            Patience, CancellationToken.None);
        var (_, healthyJson, _) = await EdgegwProcess.RunAsync("status", "--json", "--config", config);
        Assert.Null(JsonNode.Parse(healthyJson)!["health"]!["storageFault"]);

        // The same process all along (the kill of TerminateAsync would fail on a dead pid); it stops cleanly.
        await edgegw.TerminateAsync();
        Assert.Equal(ExitCodes.Success, await edgegw.WaitForExitAsync(Patience));

        // Every seq given is at the hub once; a gap only where an event announced it.
        try
        {
            await Until(hub, edgegw, m => Missing(m).Count == 0, TimeSpan.FromSeconds(30), CancellationToken.None);
        }
        catch (TimeoutException)
        {
            // The assertion below names what is missing.
        }

        var messages = hub.Messages.Where(x => x.Kind != HubMessageKind.Status).ToList();
        Assert.Empty(Missing(messages));
        Assert.Empty(DeliveryCheck.DuplicateIds(messages));
        Assert.All(messages.GroupBy(x => x.Seq), g => Assert.Single(g.Select(x => x.Id).Distinct()));
        Assert.True(messages.Count > 10, $"{messages.Count} messages");
    }

    [Fact]
    public async Task RestartOnFullDisk_StationStartsAlarmsAndUplinksThenRecovers()
    {
        WavFile.Write(_dir.File("evacuate.wav"), SirenTone.Generate(TimeSpan.FromMilliseconds(300)));
        await using var mosquitto = await MosquittoBroker.StartAsync(Patience);
        var config = _dir.Write("station.yaml", Config(mosquitto.Port));
        await using var hub = await HubMonitor.ConnectAsync("127.0.0.1", mosquitto.Port, "ews", StationId, null, CancellationToken.None);
        await using (var first = EdgegwProcess.Start("run", "--config", config))
        {
            await first.WaitForLineAsync($"Station {StationId} started", Patience);
            await Until(hub, first, m => m.Any(x => x.Kind == HubMessageKind.Status && x.Json?["state"]?.GetValue<string>() == "online"),
                Patience, CancellationToken.None);
            await first.TerminateAsync();
            Assert.Equal(ExitCodes.Success, await first.WaitForExitAsync(Patience));
        }

        // The disk fills while the station is down (or it is restarted by the watchdog on a full disk).
        var filler = Path.Combine(_storage, "filler");
        Fill(filler);
        var online = hub.Messages.Count(x => x.Kind == HubMessageKind.Status && x.Json?["state"]?.GetValue<string>() == "online");
        await using var edgegw = EdgegwProcess.Start("run", "--config", config);
        await edgegw.WaitForLineAsync($"Station {StationId} started", Patience);
        await Until(hub, edgegw, m => m.Count(x => x.Kind == HubMessageKind.Status && x.Json?["state"]?.GetValue<string>() == "online") > online,
            Patience, CancellationToken.None);

        await Press(edgegw, config);
        await Until(hub, edgegw,
            m => m.Any(x => x.Kind == HubMessageKind.Alert && x.Json?["to"]?.GetValue<string>() == "evacuate")
                && m.Any(x => Type(x) == "broadcast-finished") && Source(m, "storage-fault", "outbox"),
            Patience, CancellationToken.None);
        Assert.True(WavFile.Read(_dir.File("broadcast.wav"), "played").Duration >= TimeSpan.FromMilliseconds(300));

        File.Delete(filler);
        await Until(hub, edgegw, m => Source(m, "storage-recovered", "outbox"), Patience, CancellationToken.None);
        await edgegw.TerminateAsync();
        Assert.Equal(ExitCodes.Success, await edgegw.WaitForExitAsync(Patience));
        Assert.Empty(Missing(hub.Messages.Where(x => x.Kind != HubMessageKind.Status).ToList()));
    }

    // The manual alarm button; a failure says what the station printed.
    private static async Task Press(TestProcess edgegw, string config)
    {
        var (code, stdout, stderr) = await EdgegwProcess.RunAsync(["sim", "gpio", "22", "low", "--config", config], Patience);
        var output = edgegw.StandardOutput + edgegw.StandardError;
        Assert.True(code == ExitCodes.Success, $"{stdout}{stderr}\nedgegw:\n{output[Math.Max(0, output.Length - 6000)..]}");
    }

    // Rain: readings, hence telemetry.
    private static async Task Tips(string config)
    {
        var (code, _, stderr) = await EdgegwProcess.RunAsync("sim", "gpio", "17", "pulse", "--count", "4", "--interval", "300ms", "--config", config);
        Assert.True(code == ExitCodes.Success, stderr);
    }

    // Waits on the hub; a timeout says what the station printed.
    private static async Task Until(HubMonitor hub, TestProcess edgegw, Func<IReadOnlyList<HubMessage>, bool> condition, TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            await hub.WaitUntilAsync(condition, timeout, ct);
        }
        catch (TimeoutException e)
        {
            var output = edgegw.StandardOutput + edgegw.StandardError;
            throw new TimeoutException($"{e.Message}\nhub saw {hub.Messages.Count} message(s); edgegw:\n{output[Math.Max(0, output.Length - 6000)..]}", e);
        }
    }

    // Seqs missing at the hub that no seq-skipped or telemetry-dropped event announced.
    private static List<long> Missing(IReadOnlyList<HubMessage> messages)
    {
        var announced = new HashSet<long>();
        foreach (var e in messages.Where(x => x.Kind == HubMessageKind.Event))
        {
            if (Type(e) == "seq-skipped")
            {
                for (var s = e.Json!["data"]!["from"]!.GetValue<long>(); s <= e.Json["data"]!["to"]!.GetValue<long>(); s++)
                {
                    announced.Add(s);
                }
            }
            else if (Type(e) == "telemetry-dropped")
            {
                foreach (var range in e.Json!["data"]!["seqs"]!.AsArray())
                {
                    for (var s = range![0]!.GetValue<long>(); s <= range[1]!.GetValue<long>(); s++)
                    {
                        announced.Add(s);
                    }
                }
            }
        }

        return [.. DeliveryCheck.MissingSeqs(messages.Where(x => x.Kind != HubMessageKind.Status)).Where(s => !announced.Contains(s))];
    }

    private static void Fill(string path)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None);
        foreach (var size in new[] { 1 << 20, 64 << 10, 4 << 10, 512, 1 })
        {
            var chunk = new byte[size];
            try
            {
                while (true)
                {
                    file.Write(chunk);
                }
            }
            catch (IOException)
            {
                // ENOSPC for this size: go on with smaller pieces down to the last byte.
            }
        }
    }

    private static async Task RunAsync(string command, params string[] args)
    {
        var result = await TestProcess.RunAsync(command, args, Patience);
        Assert.True(result.ExitCode == 0, $"{command} {string.Join(' ', args)}: {result.Stderr}");
    }

    public async Task DisposeAsync()
    {
        if (_mounted)
        {
            await RunAsync("umount", "-l", _storage);
        }
    }

    // After DisposeAsync: the directory goes once its tmpfs is unmounted.
    public void Dispose() => _dir.Dispose();
}
