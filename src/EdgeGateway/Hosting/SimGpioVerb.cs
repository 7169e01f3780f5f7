using System.Device.Gpio;
using System.Globalization;
using System.Text.Json.Nodes;
using EdgeGateway.Control;
using EdgeGateway.Hardware.Gpio;

namespace EdgeGateway.Hosting;

/// <summary>
/// <c>sim.gpio {line, action: high|low|pulse, count?, intervalMs?}</c>: drives an input line of the simulated GPIO
/// chip, as a rain gauge's reed switch or a flood float would. A pulse takes the line away from its current level
/// for half the interval and back for the other half; <c>count</c> pulses follow one another. Refused unless
/// <c>hardware.gpio.driver: simulated</c>, and on lines the station drives as outputs (relays).
/// </summary>
public sealed class SimGpioVerb(GpioSetup gpio, TimeProvider time) : IControlVerb
{
    /// <summary>The most pulses one request may ask for.</summary>
    public const int MaxPulses = 10_000;

    public string Name => "sim.gpio";

    public async Task<JsonNode?> HandleAsync(JsonObject args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        var driver = gpio.SimulatedDriver
            ?? throw new ControlRequestException($"sim gpio needs hardware.gpio.driver: simulated; this station uses {gpio.Description}");
        var line = Int(args, "line") ?? throw new ControlRequestException("line is required");
        var action = Text(args, "action");
        var count = Int(args, "count") ?? 1;
        var interval = TimeSpan.FromMilliseconds(Number(args, "intervalMs") ?? 100);
        if (line < 0 || line >= driver.LineCount)
        {
            var inputs = driver.InputLines();
            throw new ControlRequestException(string.Create(
                CultureInfo.InvariantCulture,
                $"there is no line {line}: the simulated chip has lines 0-{driver.LineCount - 1}{(inputs.Count > 0 ? $"; the station's inputs are on {string.Join(", ", inputs)}" : "")}"));
        }

        if (count is < 1 or > MaxPulses)
        {
            throw new ControlRequestException(string.Create(CultureInfo.InvariantCulture, $"count must be 1 to {MaxPulses}"));
        }

        if (interval <= TimeSpan.Zero || interval > TimeSpan.FromMinutes(1))
        {
            throw new ControlRequestException("interval must be more than 0 and at most 1m");
        }

        try
        {
            switch (action)
            {
                case "high":
                    driver.SetInput(line, PinValue.High);
                    break;
                case "low":
                    driver.SetInput(line, PinValue.Low);
                    break;
                case "pulse":
                    var rest = driver.Peek(line);
                    var away = rest == PinValue.High ? PinValue.Low : PinValue.High;
                    for (var i = 0; i < count; i++)
                    {
                        driver.SetInput(line, away);
                        await Task.Delay(interval / 2, time, cancellationToken).ConfigureAwait(false);
                        driver.SetInput(line, rest);
                        if (i < count - 1)
                        {
                            await Task.Delay(interval / 2, time, cancellationToken).ConfigureAwait(false);
                        }
                    }

                    break;
                default:
                    throw new ControlRequestException($"action must be high, low or pulse, not '{action}'");
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentOutOfRangeException)
        {
            throw new ControlRequestException(ex.Message);
        }

        return new JsonObject
        {
            ["line"] = line,
            ["level"] = driver.Peek(line) == PinValue.High ? "high" : "low",
            ["pulses"] = action == "pulse" ? count : 0,
        };
    }

    private static string? Text(JsonObject args, string key) => args[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static int? Int(JsonObject args, string key) => Number(args, key) switch
    {
        null => null,
        { } n when double.IsInteger(n) && n is >= int.MinValue and <= int.MaxValue => (int)n,
        _ => throw new ControlRequestException($"{key} must be a whole number"),
    };

    // Parsed requests hold JSON elements, in-process callers CLR numbers: read both through their JSON text.
    private static double? Number(JsonObject args, string key) => args[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.Number =>
            double.Parse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture),
        _ => throw new ControlRequestException($"{key} must be a number"),
    };
}

/// <summary>
/// <c>sim.gpio.outputs {}</c>: every level the station has written to an output line of the simulated chip
/// (relays: amplifier, zones, siren), in order, as <c>{"writes":[{"line","level","time"}]}</c>. What a
/// bench or a test checks to know no relay closed, not only that none is closed now.
/// </summary>
public sealed class SimGpioOutputsVerb(GpioSetup gpio) : IControlVerb
{
    public string Name => "sim.gpio.outputs";

    public Task<JsonNode?> HandleAsync(JsonObject args, CancellationToken cancellationToken)
    {
        var driver = gpio.SimulatedDriver
            ?? throw new ControlRequestException($"sim gpio needs hardware.gpio.driver: simulated; this station uses {gpio.Description}");
        var writes = new JsonArray();
        foreach (var w in driver.OutputHistory)
        {
            writes.Add((JsonNode)new JsonObject
            {
                ["line"] = w.Pin,
                ["level"] = w.Value == PinValue.High ? "high" : "low",
                ["time"] = w.Time,
            });
        }

        return Task.FromResult<JsonNode?>(new JsonObject { ["writes"] = writes });
    }
}
