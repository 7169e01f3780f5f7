using System.CommandLine;
using EdgeGateway.Configuration;
using EdgeGateway.Demo;

namespace EdgeGateway.Cli;

/// <summary><c>edgegw demo [--speed X] [--duration 2m] [--out DIR] [--json]</c>: the whole job on one machine.</summary>
public static class DemoCommands
{
    public static Command Build()
    {
        var demo = new Command(
            "demo",
            "Run a whole station on this machine with nothing installed: simulated gauges, an embedded broker " +
            "standing in for the hub, an eight-hour typhoon compressed in time that raises and clears the alerts, " +
            "and the broadcasts rendered to a WAV file. Exit 0 when the storm raised and cleared the alerts as expected.");
        var speed = new Option<double?>("--speed") { Description = "How many times faster than real time the storm runs (default: fit --duration)" };
        var duration = new Option<string>("--duration") { Description = "Real time the storm takes when --speed is not given", DefaultValueFactory = _ => "2m" };
        var output = new Option<string?>("--out") { Description = "Directory for the station's files (default: a new temporary directory)" };
        var json = new Option<bool>("--json") { Description = "No live view; print the summary as JSON" };
        demo.Options.Add(speed);
        demo.Options.Add(duration);
        demo.Options.Add(output);
        demo.Options.Add(json);
        var logLevel = CommonOptions.LogLevel("default warning; the log goes to stderr");
        demo.Options.Add(logLevel);
        demo.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var text = parse.GetValue(duration) ?? "2m";
            if (!ConfigValueText.TryParseDuration(text, out var real) || real <= TimeSpan.Zero)
            {
                await error.WriteLineAsync($"edgegw demo: --duration '{text}' is not a duration (e.g. 90s, 2m)").ConfigureAwait(false);
                return await CliUsage.FailAsync(parse, null).ConfigureAwait(false);
            }

            if (parse.GetValue(speed) is { } x && (!double.IsFinite(x) || x <= 0))
            {
                await error.WriteLineAsync("edgegw demo: --speed must be a positive number").ConfigureAwait(false);
                return await CliUsage.FailAsync(parse, null).ConfigureAwait(false);
            }

            var options = new DemoOptions(parse.GetValue(speed), real, parse.GetValue(output), parse.GetValue(json))
            {
                LogLevel = CommonOptions.LogLevelOf(parse, logLevel) ?? StationLogLevel.Warning,
            };
            var terminal = !Console.IsOutputRedirected && !options.Json;
            return await new DemoRunner(options, parse.InvocationConfiguration.Output, error, terminal).RunAsync(cancellationToken).ConfigureAwait(false);
        });
        return demo.WithExamples(
            "edgegw demo",
            "edgegw demo --duration 30s --out demo-out");
    }
}
