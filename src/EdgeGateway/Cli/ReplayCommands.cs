using System.CommandLine;
using EdgeGateway.Configuration;
using EdgeGateway.Replay;

namespace EdgeGateway.Cli;

/// <summary><c>edgegw replay --config FILE --readings FILE.csv [--json]</c>.</summary>
public static class ReplayCommands
{
    public static Command Build()
    {
        var replay = new Command(
            "replay",
            "Run the configured rules over recorded readings in simulated time and print every rule and station " +
            "level transition. The CSV has the header time,sensor,value (ISO 8601 UTC times, in time order); " +
            "rain-pulse values are mm at that instant, rain-total values the logger's counter.");
        var config = CommonOptions.Config();
        config.Required = true;
        var readings = new Option<string>("--readings")
        {
            Description = "The readings file (CSV: time,sensor,value)",
            HelpName = "FILE.csv",
            Required = true,
        };
        var json = CommonOptions.Json();
        replay.Options.Add(config);
        replay.Options.Add(readings);
        replay.Options.Add(json);
        replay.SetAction(parse => Run(
            parse.GetValue(config)!,
            parse.GetValue(readings)!,
            parse.GetValue(json),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error));
        return replay.WithExamples(
            "edgegw replay --config station.yaml --readings readings.csv",
            "edgegw replay --config proposed.yaml --readings readings.csv --json");
    }

    private static int Run(string configPath, string readingsPath, bool json, TextWriter output, TextWriter error)
    {
        var loaded = StationConfigLoader.Load(configPath);
        foreach (var line in loaded.ErrorLines())
        {
            error.WriteLine(line);
        }

        if (loaded.Config is not { } config)
        {
            return ExitCodes.Usage;
        }

        ReplayRunner runner;
        try
        {
            runner = ReplayRunner.FromConfig(config);
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"{configPath}: {e.Message}");
            return ExitCodes.Usage;
        }

        return runner.Run(readingsPath, output, error, json);
    }
}
