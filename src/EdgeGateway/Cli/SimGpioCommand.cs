using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using EdgeGateway.Configuration;

namespace EdgeGateway.Cli;

/// <summary>
/// <c>edgegw sim gpio LINE high|low|pulse [--count N] [--interval 100ms]</c>: drives an input line of the running
/// service's simulated GPIO chip (only with <c>hardware.gpio.driver: simulated</c>).
/// </summary>
internal static class SimGpioCommand
{
    public static Command Build()
    {
        var command = new Command(
            "gpio",
            "Drive an input line of the running service's simulated GPIO chip (hardware.gpio.driver: simulated): " +
            "high, low, or pulse (away from its level for half the interval and back; a tip of a rain gauge).");
        var line = new Argument<int>("LINE") { Description = "The GPIO line (the pin number in station.yaml)" };
        var action = new Argument<string>("ACTION") { Description = "high, low or pulse" };
        action.AcceptOnlyFromAmong("high", "low", "pulse");
        var count = new Option<int>("--count") { Description = "Pulses to send (pulse only)", HelpName = "N", DefaultValueFactory = _ => 1 };
        var interval = new Option<string>("--interval") { Description = "Time from one pulse to the next", HelpName = "DURATION", DefaultValueFactory = _ => "100ms" };
        command.Arguments.Add(line);
        command.Arguments.Add(action);
        command.Options.Add(count);
        command.Options.Add(interval);
        var target = ServiceTarget.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var text = parse.GetValue(interval)!;
            if (!ConfigValueText.TryParseDuration(text, out var period) || period <= TimeSpan.Zero)
            {
                await error.WriteLineAsync($"edgegw: --interval '{text}' is not a duration ({ConfigValueText.DurationHint})").ConfigureAwait(false);
                return await CliUsage.FailAsync(parse, null).ConfigureAwait(false);
            }

            var pulses = parse.GetValue(count);
            if (pulses < 1)
            {
                await error.WriteLineAsync("edgegw: --count must be 1 or more").ConfigureAwait(false);
                return await CliUsage.FailAsync(parse, null).ConfigureAwait(false);
            }

            var args = new JsonObject
            {
                ["line"] = parse.GetValue(line),
                ["action"] = parse.GetValue(action),
                ["count"] = pulses,
                ["intervalMs"] = period.TotalMilliseconds,
            };

            // The service answers once the last pulse is done.
            var timeout = TimeSpan.FromSeconds(15) + (period * pulses);
            return await target.InvokeAsync(parse, "sim.gpio", args, Describe, ct, timeout).ConfigureAwait(false);
        });
        return command.WithExamples(
            "edgegw sim gpio 27 high",
            "edgegw sim gpio 17 pulse --count 20 --interval 200ms");
    }

    private static string Describe(JsonNode? result)
    {
        var line = result?["line"]?.GetValue<int>();
        var level = result?["level"]?.GetValue<string>();
        var pulses = result?["pulses"]?.GetValue<int>() ?? 0;
        return pulses > 0
            ? string.Create(CultureInfo.InvariantCulture, $"line {line}: {pulses} pulse{(pulses == 1 ? "" : "s")} sent, now {level}")
            : string.Create(CultureInfo.InvariantCulture, $"line {line}: {level}");
    }
}
