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

    /// <summary><c>--json</c>: machine-readable output on stdout.</summary>
    public static Option<bool> Json() => new("--json")
    {
        Description = "Print machine-readable JSON",
    };
}
