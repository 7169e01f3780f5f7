using System.Text.Json.Nodes;
using EdgeGateway.Tests.TestSupport;

namespace EdgeGateway.Tests.Replay;

/// <summary>
/// <c>replay --summary</c> and <c>--compare</c> as a technician runs them (the process), on a crafted river
/// hydrograph and the shipped example configuration. The river rule (watch 2.8, prepare 3.2, hold 30 s,
/// clearAfter 30 m) sees 2.9 at 00:00, 3.1 at 00:20, 3.3 at 00:40, 3.35 at 01:00 and 2.0 from 01:10 to 01:50,
/// so watch at 00:00:30, prepare at 00:40:30 and none at 01:40:00. The proposal lowers prepare to 3.0: prepare
/// at 00:20:30, twenty minutes (1200 s) of lead time gained.
/// </summary>
public sealed class ReplayDecisionTests
{
    private const string Hydrograph = """
        time,sensor,value
        2026-07-01T00:00:00Z,river-level,2.9
        2026-07-01T00:20:00Z,river-level,3.1
        2026-07-01T00:40:00Z,river-level,3.3
        2026-07-01T01:00:00Z,river-level,3.35
        2026-07-01T01:10:00Z,river-level,2.0
        2026-07-01T01:50:00Z,river-level,2.0
        """;

    [Fact]
    public async Task Summary_Hydrograph_HighestMeasureTimeAtLevelsAndBroadcasts()
    {
        using var dir = new TempDirectory();
        var csv = dir.Write("river.csv", Hydrograph);

        var (code, stdout, stderr) = await EdgegwProcess.RunAsync("replay", "--config", ExampleConfig.Path, "--readings", csv, "--summary");

        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("6 readings from 2026-07-01T00:00:00Z to 2026-07-01T01:50:00Z; 6 level transitions", lines[0]);
        Assert.Contains("rule river: highest 3.35 at 2026-07-01T01:00:00Z", lines);
        Assert.Contains("none 10m 30s, watch 40m, prepare 59m 30s, evacuate 0s", lines);
        // 3.3 - 2.9 in binary is 0.3999999999999999: printed as the 0.4 that was measured.
        Assert.Contains("rule river-rise: highest 0.4 at 2026-07-01T00:40:00Z", lines);
        Assert.Contains("rule rain-1h: highest - (no measure)", lines);
        Assert.Contains("station: none 10m 30s, watch 40m, prepare 59m 30s, evacuate 0s", lines);
        var broadcasts = lines.SkipWhile(l => l != "broadcasts that would have played:").Skip(1).ToArray();
        Assert.Equal(
            ["2026-07-01T00:40:30Z prepare x3 (station rose to prepare)", "2026-07-01T01:40:00Z all-clear x2 (station back to none)"],
            broadcasts);
    }

    [Fact]
    public async Task SummaryJson_Hydrograph_SecondsAtEachLevel()
    {
        using var dir = new TempDirectory();
        var csv = dir.Write("river.csv", Hydrograph);

        var (code, stdout, stderr) = await EdgegwProcess.RunAsync("replay", "--config", ExampleConfig.Path, "--readings", csv, "--summary", "--json");

        Assert.True(code == 0, stderr);
        var summary = JsonNode.Parse(stdout)!;
        var river = summary["rules"]!.AsArray().Single(r => r!["id"]!.GetValue<string>() == "river")!;
        Assert.Equal(3.35, river["highest"]!["measure"]!.GetValue<double>());
        Assert.Equal("2026-07-01T01:00:00Z", river["highest"]!["time"]!.GetValue<string>());
        Assert.Equal("""{"none":630,"watch":2400,"prepare":3570,"evacuate":0}""", river["secondsAtLevel"]!.ToJsonString());
        Assert.Equal(6600, summary["station"]!["secondsAtLevel"]!.AsObject().Sum(p => p.Value!.GetValue<long>()));
        Assert.Equal(
            """[{"time":"2026-07-01T00:40:30Z","kind":"level","level":"prepare","message":"prepare","repeat":3},{"time":"2026-07-01T01:40:00Z","kind":"all-clear","level":"none","message":"all-clear","repeat":2}]""",
            summary["broadcasts"]!.ToJsonString());
    }

    [Fact]
    public async Task Compare_LowerPrepareThreshold_ShowsTheLeadTimeGainedInSeconds()
    {
        using var dir = new TempDirectory();
        var csv = dir.Write("river.csv", Hydrograph);
        var proposed = dir.Write("proposed.yaml", ExampleConfig.With(("prepare: 3.2", "prepare: 3.0")));

        var text = await EdgegwProcess.RunAsync("replay", "--config", ExampleConfig.Path, "--readings", csv, "--compare", proposed);
        var json = await EdgegwProcess.RunAsync("replay", "--config", ExampleConfig.Path, "--readings", csv, "--compare", proposed, "--json");

        Assert.True(text.ExitCode == 0, text.Stderr);
        var lines = text.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd()).ToArray();
        Assert.All(lines, l => Assert.True(l.Length <= 80, l));
        Assert.Contains($"{"station watch",-24}2026-07-01T00:00:30Z 2026-07-01T00:00:30Z same", lines);
        Assert.Contains($"{"station prepare",-24}2026-07-01T00:40:30Z 2026-07-01T00:20:30Z 1200 s gained", lines);
        Assert.Contains($"{"river prepare",-24}2026-07-01T00:40:30Z 2026-07-01T00:20:30Z 1200 s gained", lines);
        Assert.True(json.ExitCode == 0, json.Stderr);
        var rises = JsonNode.Parse(json.Stdout)!["rises"]!.AsArray();
        var prepare = rises.Single(r => r!["id"]!.GetValue<string>() == "station" && r["level"]!.GetValue<string>() == "prepare")!;
        Assert.Equal(1200, prepare["leadSeconds"]!.GetValue<long>());
        Assert.Equal("2026-07-01T00:20:30Z", prepare["proposed"]!.GetValue<string>());
        Assert.DoesNotContain(rises, r => r!["level"]!.GetValue<string>() == "evacuate");
    }

    [Fact]
    public async Task Replay_NoTransitions_SaysSoInsteadOfSilence()
    {
        using var dir = new TempDirectory();
        var csv = dir.Write("calm.csv", "time,sensor,value\n2026-07-01T00:00:00Z,river-level,2.0\n2026-07-01T06:00:00Z,river-level,2.1\n");

        var plain = await EdgegwProcess.RunAsync("replay", "--config", ExampleConfig.Path, "--readings", csv);
        var summary = await EdgegwProcess.RunAsync("replay", "--config", ExampleConfig.Path, "--readings", csv, "--summary");

        Assert.Equal(0, plain.ExitCode);
        Assert.Equal("no level transitions in 2 readings from 2026-07-01T00:00:00Z to 2026-07-01T06:00:00Z", plain.Stdout.Trim());
        Assert.Equal(0, summary.ExitCode);
        Assert.StartsWith("no level transitions in 2 readings", summary.Stdout, StringComparison.Ordinal);
        Assert.Contains("no broadcasts would have played", summary.Stdout, StringComparison.Ordinal);
    }
}
