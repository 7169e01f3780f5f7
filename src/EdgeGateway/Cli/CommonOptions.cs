using System.CommandLine;
using EdgeGateway.Configuration;

namespace EdgeGateway.Cli;

/// <summary>Options several verbs share, spelt and described the same everywhere.</summary>
public static class CommonOptions
{
    /// <summary><c>--config FILE</c>: the station configuration (default /etc/edge-gateway/station.yaml).</summary>
    public static Option<string> Config() => new("--config")
    {
        Description = $"The station configuration file (default {StationConfigLoader.DefaultPath})",
        HelpName = "FILE",
    };

    /// <summary><c>--log-level LEVEL</c>: the least severe log line written (overrides station.yaml's <c>logging.level</c>).</summary>
    public static Option<string> LogLevel(string defaultText)
    {
        var option = new Option<string>("--log-level")
        {
            Description = $"Write log lines of this level and above: trace, debug, info, warning, error, critical ({defaultText})",
            HelpName = "LEVEL",
        };
        option.AcceptOnlyFromAmong("trace", "debug", "info", "warning", "error", "critical");
        return option;
    }

    /// <summary>The level <see cref="LogLevel"/> gave, or null when it was not given.</summary>
    public static StationLogLevel? LogLevelOf(ParseResult parse, Option<string> option)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return parse.GetValue(option) is { } text && Enum.TryParse<StationLogLevel>(text, ignoreCase: true, out var level) ? level : null;
    }

    /// <summary><c>--json</c>: machine-readable output on stdout.</summary>
    public static Option<bool> Json() => new("--json")
    {
        Description = "Print machine-readable JSON",
    };
}
