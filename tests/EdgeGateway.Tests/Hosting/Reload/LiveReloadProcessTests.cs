using System.Text.Json.Nodes;
using EdgeGateway.Cli;
using EdgeGateway.Hardware.Audio;
using EdgeGateway.Hosting.Reload;

namespace EdgeGateway.Tests.Hosting.Reload;

/// <summary>A technician edits station.yaml of a running <c>edgegw run</c> and reloads it: the rules change live.</summary>
public sealed class LiveReloadProcessTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private static string Config(TempDirectory dir, string rainAbove) => new StationYaml("bench-03", dir)
        .Sensor("""
            - id: rain-gauge
              kind: rain-pulse
              unit: mm
              gpio: { pin: 17, edge: falling, pull: up, debounce: 25ms }
              mmPerTip: 0.5
            """)
        .Alerting($$"""
            levels:
              - { id: watch, severity: Moderate }
              - { id: prepare, severity: Severe, broadcast: { message: prepare, repeat: 1 } }
            rules:
              - { id: rain-1h, sensor: rain-gauge, measure: { sum: 1h }, above: {{rainAbove}} }
            """)
        .Broadcast(dir.File("broadcast.wav"), $$"""
            gap: 100ms
            messages:
              prepare: { file: {{dir.File("prepare.wav")}} }
            """)
        .ToString();

    private static async Task<JsonObject> StatusAsync(string config)
    {
        var (code, stdout, stderr) = await EdgegwProcess.RunAsync("status", "--json", "--config", config);
        Assert.True(code == ExitCodes.Success, stderr);
        return JsonNode.Parse(stdout)!.AsObject();
    }

    private static string RuleLevel(JsonObject status) =>
        status["rules"]!.AsArray().Single(r => (string?)r!["id"] == "rain-1h")!["level"]!.GetValue<string>();

    [Fact]
    public async Task Sighup_ThresholdLoweredBelowTheRainfall_LevelRisesLiveStatusShowsNewHashProcessRuns()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("data"));
        WavFile.Write(dir.File("prepare.wav"), SirenTone.Generate(TimeSpan.FromMilliseconds(300)));
        var config = dir.Write("station.yaml", Config(dir, "{ watch: 20, prepare: 30 }"));
        using var edgegw = EdgegwProcess.Start("run", "--config", config);
        await edgegw.WaitForLineAsync("Station bench-03 started", Patience);

        // 3 mm of rain: nothing at 20 mm.
        var (code, _, stderr) = await EdgegwProcess.RunAsync("sim", "gpio", "17", "pulse", "--count", "6", "--interval", "50ms", "--config", config);
        Assert.True(code == ExitCodes.Success, stderr);
        var before = await StatusAsync(config);
        Assert.Equal("none", RuleLevel(before));

        // The technician lowers the thresholds and reloads: 3 mm is now above watch (2) though below prepare (30).
        await File.WriteAllTextAsync(config, Config(dir, "{ watch: 2, prepare: 30 }"));
        var hash = StationConfigMonitor.Hash(await File.ReadAllBytesAsync(config));
        await edgegw.SignalAsync("HUP");

        await edgegw.WaitForLineAsync($"hash {hash}", Patience);
        var after = await StatusAsync(config);

        Assert.Equal(hash, after["config"]!["hash"]!.GetValue<string>());
        Assert.NotEqual(before["config"]!["hash"]!.GetValue<string>(), hash);
        Assert.Null(after["config"]!["restartNeededFor"]);
        Assert.Equal("watch", RuleLevel(after));
        Assert.Equal("watch", after["stationLevel"]!.GetValue<string>());
        Assert.Contains("warn: BroadcastController[609] Station level none -> watch: broadcast none (level has no broadcast)", edgegw.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("not applied by", edgegw.StandardOutput + edgegw.StandardError, StringComparison.Ordinal);

        // Still the same process, still serving; it stops cleanly.
        await edgegw.TerminateAsync();
        Assert.Equal(ExitCodes.Success, await edgegw.WaitForExitAsync(Patience));
    }
}
