using System.CommandLine;
using System.Text.Json;
using EdgeGateway.Cli;
using EdgeGateway.Tests.TestSupport;

namespace EdgeGateway.Tests.Replay;

public sealed class ReplayCommandsTests
{
    private static readonly string StormDir = Path.Combine(AppContext.BaseDirectory, "Replay", "Storm");
    private static readonly string StormCsv = Path.Combine(StormDir, "storm.csv");
    private static readonly string[] Expected = File.ReadAllLines(Path.Combine(StormDir, "storm.expected.jsonl"));

    private static (int Code, string[] Output, string Errors) Invoke(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = CliRoot.Build().Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries), error.ToString());
    }

    [Fact]
    public void Replay_DesignStormJson_MatchesTheIndependentlyComputedTransitionsExactly()
    {
        var (code, output, errors) = Invoke("replay", "--config", ExampleConfig.Path, "--readings", StormCsv, "--json");

        Assert.Equal("", errors);
        Assert.Equal(0, code);
        Assert.True(Expected.Length > 20, "the storm must exercise the rules");
        Assert.Equal(Expected, output);
    }

    [Fact]
    public void Replay_DesignStormText_SaysTheSameInTheTextForm()
    {
        var (code, output, _) = Invoke("replay", "--config", ExampleConfig.Path, "--readings", StormCsv);

        Assert.Equal(0, code);
        Assert.Equal(Expected.Select(ToText), output);
    }

    [Fact]
    public async Task Replay_AsAProcess_BadRowExits2WithFileAndLine()
    {
        using var dir = new TempDirectory();
        var csv = dir.Write("typhoon.csv", "time,sensor,value\n2026-07-01T00:00:00Z,river-level,3.9\n2026-07-01T00:01:00Z,rain-gauge,lots\n");

        var (code, stdout, stderr) = await EdgegwProcess.RunAsync("replay", "--config", ExampleConfig.Path, "--readings", csv);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith($"{csv}:3: 'lots' is not a number", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_AsAProcess_StormPrintsTheTransitionsAndExits0()
    {
        var (code, stdout, stderr) = await EdgegwProcess.RunAsync("replay", "--config", ExampleConfig.Path, "--readings", StormCsv, "--json");

        Assert.Equal("", stderr);
        Assert.Equal(0, code);
        Assert.Equal(Expected, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Replay_InvalidConfig_Exits2WithTheConfigErrors()
    {
        using var dir = new TempDirectory();
        var config = dir.Write("station.yaml", ExampleConfig.With(("hysteresis: 0.05", "hysteresis: -0.05")));

        var (code, output, errors) = Invoke("replay", "--config", config, "--readings", StormCsv);

        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Contains(config + ":", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_MissingReadingsFile_Exits2()
    {
        var (code, _, errors) = Invoke("replay", "--config", ExampleConfig.Path, "--readings", "/nonexistent/readings.csv");

        Assert.Equal(2, code);
        Assert.Contains("cannot read /nonexistent/readings.csv", errors, StringComparison.Ordinal);
    }

    // {"time":T,"scope":S,"id":I,"from":F,"to":O,"value":V} -> "T S I F -> O value=V"
    private static string ToText(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var e = doc.RootElement;
        var text = $"{e.GetProperty("time").GetString()} {e.GetProperty("scope").GetString()} {e.GetProperty("id").GetString()} " +
                   $"{e.GetProperty("from").GetString()} -> {e.GetProperty("to").GetString()}";
        return e.TryGetProperty("value", out var value) ? $"{text} value={value.GetRawText()}" : text;
    }
}
