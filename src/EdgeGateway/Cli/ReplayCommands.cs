using System.CommandLine;
using EdgeGateway.Configuration;
using EdgeGateway.Replay;

namespace EdgeGateway.Cli;

/// <summary><c>edgegw replay --config FILE --readings FILE.csv [--summary | --compare OTHER.yaml] [--json]</c>.</summary>
public static class ReplayCommands
{
    public static Command Build()
    {
        var replay = new Command(
            "replay",
            "Run the configured rules over recorded readings in simulated time and print every rule and station " +
            "level transition (or that there were none). The CSV has the header time,sensor,value (ISO 8601 UTC " +
            "times, in time order); rain-pulse values are mm at that instant, rain-total values the logger's " +
            "counter ('edgegw history export' writes it from a station). --summary and --compare help decide on thresholds.");
        var config = CommonOptions.Config();
        config.Required = true;
        var readings = new Option<string>("--readings")
        {
            Description = "The readings file (CSV: time,sensor,value)",
            HelpName = "FILE.csv",
            Required = true,
        };
        var summary = new Option<bool>("--summary")
        {
            Description = "Per rule the highest measure and when, the time at each level, and the broadcasts that would have played",
        };
        var compare = new Option<string>("--compare")
        {
            Description = "Also replay this configuration and show each level's first rise under both, with the lead time gained or lost",
            HelpName = "OTHER.yaml",
        };
        var json = CommonOptions.Json();
        replay.Options.Add(config);
        replay.Options.Add(readings);
        replay.Options.Add(summary);
        replay.Options.Add(compare);
        replay.Options.Add(json);
        replay.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (parse.GetValue(summary) && parse.GetValue(compare) is not null)
            {
                error.WriteLine("edgegw: use --summary or --compare, not both (--compare replays both files)");
                return CliUsage.Fail(parse);
            }

            if (parse.GetValue(compare) is { } other)
            {
                return Compare(parse.GetValue(config)!, other, parse.GetValue(readings)!, parse.GetValue(json), output, error);
            }

            return parse.GetValue(summary)
                ? Summary(parse.GetValue(config)!, parse.GetValue(readings)!, parse.GetValue(json), output, error)
                : Run(parse.GetValue(config)!, parse.GetValue(readings)!, parse.GetValue(json), output, error);
        });
        return replay.WithExamples(
            "edgegw replay --config station.yaml --readings readings.csv --summary",
            "edgegw replay --config station.yaml --readings readings.csv --compare proposed.yaml");
    }

    private static int Run(string configPath, string readingsPath, bool json, TextWriter output, TextWriter error)
    {
        if (Load(configPath, error) is not { } config)
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

    private static int Summary(string configPath, string readingsPath, bool json, TextWriter output, TextWriter error)
    {
        if (Summarise(configPath, readingsPath, error) is not { } summary)
        {
            return ExitCodes.Usage;
        }

        output.WriteLine(json ? summary.ToJson().ToJsonString() : summary.ToText(readingsPath));
        return ExitCodes.Success;
    }

    private static int Compare(string currentPath, string proposedPath, string readingsPath, bool json, TextWriter output, TextWriter error)
    {
        if (Summarise(currentPath, readingsPath, error) is not { } current || Summarise(proposedPath, readingsPath, error) is not { } proposed)
        {
            return ExitCodes.Usage;
        }

        var comparison = ReplayComparison.Build(current, proposed);
        output.WriteLine(json ? comparison.ToJson(currentPath, proposedPath).ToJsonString() : comparison.ToText(currentPath, proposedPath, readingsPath));
        return ExitCodes.Success;
    }

    private static ReplaySummary? Summarise(string configPath, string readingsPath, TextWriter error)
    {
        if (Load(configPath, error) is not { } config)
        {
            return null;
        }

        using var stream = ReplayRunner.Open(readingsPath, error);
        if (stream is null)
        {
            return null;
        }

        try
        {
            return ReplaySummary.Build(config, stream, readingsPath, error);
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"{configPath}: {e.Message}");
            return null;
        }
    }

    private static StationConfig? Load(string configPath, TextWriter error)
    {
        var loaded = StationConfigLoader.Load(configPath);
        foreach (var line in loaded.ErrorLines())
        {
            error.WriteLine(line);
        }

        return loaded.Config;
    }
}
