using System.CommandLine;
using System.Text.Json;
using EdgeGateway.Bench;
using EdgeGateway.Configuration;

namespace EdgeGateway.Cli;

/// <summary>
/// <c>edgegw bench alarm-latency [--samples N] [--poll 1s] [--json]</c>: measurements scripts/bench.sh runs.
/// Hidden from --help: a technician has no use for them on a station.
/// </summary>
public static class BenchCommands
{
    public static Command Build()
    {
        var bench = new Command("bench", "In-process benchmarks (used by scripts/bench.sh)") { Hidden = true };
        var latency = new Command(
            "alarm-latency",
            "Time from a Modbus register crossing a threshold to the amplifier relay going high, through the station " +
            "as `run` composes it (simulated GPIO, Modbus slave simulator on 127.0.0.1, a rule with hold 0).");
        var samples = new Option<int>("--samples") { Description = "How many threshold crossings", DefaultValueFactory = _ => 50 };
        var poll = new Option<string>("--poll") { Description = "The sensor's poll period", DefaultValueFactory = _ => "1s" };
        var json = CommonOptions.Json();
        latency.Options.Add(samples);
        latency.Options.Add(poll);
        latency.Options.Add(json);
        latency.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var text = parse.GetValue(poll) ?? "1s";
            if (!ConfigValueText.TryParseDuration(text, out var period) || period <= TimeSpan.Zero)
            {
                await error.WriteLineAsync($"edgegw bench alarm-latency: --poll '{text}' is not a duration (e.g. 1s, 250ms)").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            if (parse.GetValue(samples) is var n && n < 1)
            {
                await error.WriteLineAsync("edgegw bench alarm-latency: --samples must be at least 1").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var result = await new AlarmLatencyBench(n, period, error).RunAsync(cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync(parse.GetValue(json)
                ? result.ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = false })
                : result.SummaryLine()).ConfigureAwait(false);
            return result.Missed == 0 ? ExitCodes.Success : ExitCodes.Failure;
        });
        bench.Subcommands.Add(latency);
        return bench;
    }
}
