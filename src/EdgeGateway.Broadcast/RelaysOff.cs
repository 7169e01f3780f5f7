using System.Device.Gpio;
using EdgeGateway.Hardware.Relays;

namespace EdgeGateway.Broadcast;

/// <summary>One relay line of the broadcaster: the amplifier or a zone.</summary>
public sealed record RelayLine(string Name, int Pin);

/// <summary>A relay line that could not be driven off, and why.</summary>
public sealed record RelayFailure(RelayLine Line, string Reason);

/// <summary>
/// Drives every broadcast relay to its off level (low: a relay is energised by a high line) from outside
/// the service: systemd runs it after the service ends however it ended, because a GPIO line released by
/// a dead process keeps the level it last had, so the speakers would stay powered until the next start.
/// </summary>
public static class RelaysOff
{
    /// <summary>The relay lines <paramref name="options"/> configures, amplifier first.</summary>
    public static IReadOnlyList<RelayLine> Lines(BroadcastOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return [new RelayLine("amplifier", options.AmplifierPin), .. options.Zones.Select(z => new RelayLine("zone " + z.Id, z.Pin))];
    }

    /// <summary>Opens each relay line as an output at its off level; every line is tried. Returns those that failed.</summary>
    public static IReadOnlyList<RelayFailure> Drive(GpioController gpio, BroadcastOptions options)
    {
        ArgumentNullException.ThrowIfNull(gpio);
        ArgumentNullException.ThrowIfNull(options);
        var lines = Lines(options);
        var bank = Bank(gpio, options);
        return [.. bank.OpenAllOff().Select(f => new RelayFailure(lines.First(l => l.Name == f.Relay), f.Error.Message))];
    }

    /// <summary>The relay bank <paramref name="options"/> configures on <paramref name="gpio"/>.</summary>
    internal static RelayBank Bank(GpioController gpio, BroadcastOptions options) =>
        new(gpio, options.AmplifierPin, [.. options.Zones.Select(z => new ZoneRelay(z.Id, z.Pin))]);
}
