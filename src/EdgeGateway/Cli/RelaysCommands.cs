using System.CommandLine;
using System.Text.Json.Nodes;
using EdgeGateway.Configuration;
using EdgeGateway.Broadcast;
using EdgeGateway.Hardware.Gpio;
using EdgeGateway.Hosting;

namespace EdgeGateway.Cli;

/// <summary><c>edgegw relays off [--config FILE]</c>: the unit's ExecStopPost=.</summary>
public static class RelaysCommands
{
    public static Command Build()
    {
        var relays = new Command("relays", "Act on the broadcast relays directly (the service must not be running)");
        relays.Subcommands.Add(BuildOff());
        return relays.WithExamples(
            "edgegw relays off");
    }

    private static Command BuildOff()
    {
        var off = new Command(
            "off",
            "Drive the amplifier and zone relays of station.yaml to their off level through the configured GPIO chip. " +
            "systemd runs it after the service ends, however it ended. Exit 1 if a line cannot be driven.");
        var configOption = CommonOptions.Config();
        var json = CommonOptions.Json();
        off.Options.Add(configOption);
        off.Options.Add(json);
        off.SetAction(parse => Off(
            parse.GetValue(configOption) ?? StationConfigLoader.DefaultPath,
            parse.GetValue(json),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error));
        return off.WithExamples(
            "edgegw relays off",
            "edgegw relays off --config /etc/edge-gateway/station.yaml --json");
    }

    private static int Off(string path, bool json, TextWriter output, TextWriter error)
    {
        var loaded = StationConfigLoader.Load(path);
        if (loaded.Config is not { } config)
        {
            foreach (var line in loaded.ErrorLines())
            {
                error.WriteLine(line);
            }

            error.WriteLine($"edgegw: {path}: {loaded.ErrorCount} problem(s); the relays were not touched");
            return ExitCodes.Usage;
        }

        var options = BroadcastMapping.FromConfig(config);
        var lines = options is null ? [] : RelaysOff.Lines(options);
        var gpio = BroadcastMapping.Gpio(config);
        if (options is null || gpio.Simulated)
        {
            var why = options is null ? "no broadcast section: there are no relays" : "simulated GPIO driver: no line to drive";
            Print(json, output, driven: false, why, lines, []);
            return ExitCodes.Success;
        }

        using var setup = GpioControllerFactory.Create(gpio, TimeProvider.System);
        if (setup.Fault is { } fault)
        {
            error.WriteLine($"edgegw: relays off: {fault}");
            return ExitCodes.Failure;
        }

        var failures = RelaysOff.Drive(setup.Controller, options);
        foreach (var f in failures)
        {
            error.WriteLine($"edgegw: relays off: {f.Line.Name} (GPIO {f.Line.Pin}): {f.Reason}");
        }

        Print(json, output, driven: true, setup.Description, lines, failures);
        return failures.Count == 0 ? ExitCodes.Success : ExitCodes.Failure;
    }

    // Text: "relays off (libgpiod v2 on gpiochip0): amplifier GPIO 5 low, zone north GPIO 6 low".
    // JSON: {"driven":true,"driver":"...","relays":[{"name":"amplifier","gpio":5,"off":true}]}.
    private static void Print(bool json, TextWriter output, bool driven, string driver, IReadOnlyList<RelayLine> lines, IReadOnlyList<RelayFailure> failures)
    {
        bool Off(RelayLine l) => driven && failures.All(f => f.Line != l);
        if (json)
        {
            var relays = new JsonArray([.. lines.Select(l => (JsonNode)new JsonObject { ["name"] = l.Name, ["gpio"] = l.Pin, ["off"] = Off(l) })]);
            output.WriteLine(new JsonObject { ["driven"] = driven, ["driver"] = driver, ["relays"] = relays }.ToJsonString());
            return;
        }

        var list = string.Join(", ", lines.Select(l => $"{l.Name} GPIO {l.Pin} {(Off(l) ? "low" : driven ? "FAILED" : "untouched")}"));
        output.WriteLine(driven ? $"relays off ({driver}): {list}" : $"relays off: {driver}{(lines.Count > 0 ? $" ({list})" : "")}");
    }
}
