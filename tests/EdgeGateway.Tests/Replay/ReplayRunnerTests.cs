using System.Text;
using EdgeGateway.Configuration;
using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Rules;
using EdgeGateway.Replay;

namespace EdgeGateway.Tests.Replay;

public sealed class ReplayRunnerTests
{
    private static readonly AlertLevels Levels = new(["watch", "prepare", "evacuate"]);

    private static ReplayRunner Runner(params RuleDefinition[] rules) => new(
        Levels,
        rules,
        [
            KeyValuePair.Create("river-level", SensorKind.WaterLevel),
            KeyValuePair.Create("rain-counter", SensorKind.RainTotal),
            KeyValuePair.Create("rain-gauge", SensorKind.RainPulse),
            KeyValuePair.Create("battery", SensorKind.Analog),
        ]);

    private static RuleDefinition River() => RuleDefinition.ForThresholds(
        "river", "river-level", RuleMeasure.Value, [new(1, 2.8), new(2, 3.2), new(3, 3.8)],
        0.05, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(30));

    private static RuleDefinition Logger() => RuleDefinition.ForThresholds(
        "rain-logger-1h", "rain-counter", RuleMeasure.Sum(TimeSpan.FromHours(1)), [new(2, 30), new(3, 50)],
        clearAfter: TimeSpan.FromMinutes(30));

    private static (int Code, string[] Output, string[] Errors) Run(ReplayRunner runner, string csv, bool json = false)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(csv));
        var output = new StringWriter();
        var error = new StringWriter();
        var code = runner.Run(stream, "r.csv", output, error, json);
        return (code, Lines(output), Lines(error));
    }

    private static string[] Lines(StringWriter writer) =>
        writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public void Run_RainCounterResetInsideWindow_CountsTheNewValueAsRainSinceTheReset()
    {
        var csv = """
            time,sensor,value
            2026-07-01T00:00:00Z,rain-counter,100.0
            2026-07-01T00:10:00Z,rain-counter,110.0
            2026-07-01T00:20:00Z,rain-counter,125.0
            2026-07-01T00:30:00Z,rain-counter,3.0
            2026-07-01T00:40:00Z,rain-counter,10.0
            """;

        var (code, output, errors) = Run(Runner(Logger()), csv);

        // 10 + 15 + 3 (since the reset) + 7 = 35 mm within the hour; a negative step would have hidden it.
        Assert.Equal(0, code);
        Assert.Empty(errors);
        Assert.Equal(
            ["2026-07-01T00:40:00Z rule rain-logger-1h none -> prepare value=35", "2026-07-01T00:40:00Z station station none -> prepare"],
            output);
    }

    [Fact]
    public void Run_CounterFirstReading_IsABaselineNotRain()
    {
        var csv = "time,sensor,value\n2026-07-01T00:00:00Z,rain-counter,812.3\n2026-07-01T00:01:00Z,rain-counter,842.4\n";

        var (_, output, _) = Run(Runner(Logger()), csv, json: true);

        Assert.Equal(
            """{"time":"2026-07-01T00:01:00Z","scope":"rule","id":"rain-logger-1h","from":"none","to":"prepare","value":30.1}""",
            output[0]);
    }

    [Fact]
    public void Run_Json_PrintsExactlyTheContractForm()
    {
        var csv = """
            time,sensor,value
            2026-07-01T03:00:00Z,river-level,3.3
            2026-07-01T03:00:30Z,battery,12.6
            """;

        var (code, output, _) = Run(Runner(River()), csv, json: true);

        Assert.Equal(0, code);
        Assert.Equal(
            [
                """{"time":"2026-07-01T03:00:30Z","scope":"rule","id":"river","from":"none","to":"prepare","value":3.3}""",
                """{"time":"2026-07-01T03:00:30Z","scope":"station","id":"station","from":"none","to":"prepare"}""",
            ],
            output);
    }

    [Fact]
    public void Run_HoldEndsBetweenReadings_TransitionAtTheExactSecond()
    {
        var csv = """
            time,sensor,value
            2026-07-01T03:00:07Z,river-level,2.9
            2026-07-01T03:05:00Z,river-level,2.9
            """;

        var (_, output, _) = Run(Runner(River()), csv);

        Assert.Equal(["2026-07-01T03:00:37Z rule river none -> watch value=2.9", "2026-07-01T03:00:37Z station station none -> watch"], output);
    }

    [Fact]
    public void Run_EmptyValue_IsAFaultThatKeepsTheLevel()
    {
        var csv = """
            time,sensor,value
            2026-07-01T00:00:00Z,river-level,3.3
            2026-07-01T00:01:00Z,river-level,3.3
            2026-07-01T00:02:00Z,river-level,1.0
            2026-07-01T00:03:00Z,river-level,
            2026-07-01T01:00:00Z,river-level,
            2026-07-01T01:10:00Z,river-level,1.0
            2026-07-01T01:40:00Z,river-level,1.0
            """;

        var (_, output, _) = Run(Runner(River()), csv);

        // The clear begun at 00:02 is void after the fault; 30 minutes counted from 01:10.
        Assert.Equal(
            [
                "2026-07-01T00:00:30Z rule river none -> prepare value=3.3",
                "2026-07-01T00:00:30Z station station none -> prepare",
                "2026-07-01T01:40:00Z rule river prepare -> none value=1",
                "2026-07-01T01:40:00Z station station prepare -> none",
            ],
            output);
    }

    [Fact]
    public void Run_BadRows_ReportsEachAsFileLineAndExits2()
    {
        var csv = """
            time,sensor,value
            2026-07-01T00:00:00Z,river-level,3.9
            2026-07-01 00:01:00,river-level,1.0
            2026-07-01T00:02:00Z,river-levle,1.0
            2026-07-01T00:03:00Z,river-level,abc
            2026-07-01T00:04:00Z,rain-gauge,-0.5
            2026-07-01T00:01:00Z,river-level,1.0
            2026-07-01T00:05:00Z,river-level
            2026-02-30T00:06:00Z,river-level,1.0
            """;

        var (code, _, errors) = Run(Runner(River()), csv);

        Assert.Equal(2, code);
        Assert.Equal(7, errors.Length);
        Assert.StartsWith("r.csv:3: '2026-07-01 00:01:00' is not an ISO 8601 UTC time", errors[0], StringComparison.Ordinal);
        Assert.StartsWith("r.csv:4: unknown sensor 'river-levle'", errors[1], StringComparison.Ordinal);
        Assert.StartsWith("r.csv:5: 'abc' is not a number", errors[2], StringComparison.Ordinal);
        Assert.Equal("r.csv:6: rainfall cannot be negative", errors[3]);
        Assert.StartsWith("r.csv:7: earlier than the line before", errors[4], StringComparison.Ordinal);
        Assert.Equal("r.csv:8: expected three fields: time,sensor,value", errors[5]);
        Assert.StartsWith("r.csv:9: '2026-02-30T00:06:00Z'", errors[6], StringComparison.Ordinal);
    }

    [Fact]
    public void Run_BadHeader_Exits2()
    {
        var (code, output, errors) = Run(Runner(River()), "when,what,value\n2026-07-01T00:00:00Z,river-level,3.9\n");

        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Equal(["r.csv:1: expected the header time,sensor,value"], errors);
    }

    [Fact]
    public void Run_OtherIsoForms_AreAcceptedAsUtc()
    {
        var csv = "\uFEFFtime,sensor,value\r\n2026-07-01T08:00:00.250+08:00,river-level,3.9\r\n\"2026-07-01T00:01:00Z\",\"river-level\",\"3.9\"";

        var (code, output, errors) = Run(Runner(River()), csv);

        Assert.Equal(0, code);
        Assert.Empty(errors);
        Assert.Equal("2026-07-01T00:00:30Z rule river none -> evacuate value=3.9", output[0]);
    }
}
