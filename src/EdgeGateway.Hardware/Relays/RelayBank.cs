using System.Device.Gpio;

namespace EdgeGateway.Hardware.Relays;

/// <summary>A zone relay: it connects the amplifier output to one group of horns.</summary>
public sealed record ZoneRelay(string Id, int Pin);

/// <summary>
/// A loudspeaker relay bank: the amplifier relay and the zone relays on the station's <see cref="GpioController"/> (shared with the
/// rest of the host). High = relay energised = on. Switching off goes zones first, then the amplifier, and
/// tries every line even when one fails, so one bad line never leaves another one on.
/// </summary>
public sealed class RelayBank
{
    private readonly Lock _gate = new();
    private readonly GpioController _gpio;
    private readonly int _amplifier;
    private readonly IReadOnlyList<ZoneRelay> _zones;
    private readonly Dictionary<int, bool> _on = [];

    public RelayBank(GpioController gpio, int amplifierPin, IReadOnlyList<ZoneRelay> zones)
    {
        ArgumentNullException.ThrowIfNull(gpio);
        ArgumentNullException.ThrowIfNull(zones);
        _gpio = gpio;
        _amplifier = amplifierPin;
        _zones = zones;
    }

    public bool AmplifierOn
    {
        get
        {
            lock (_gate)
            {
                return _on.GetValueOrDefault(_amplifier);
            }
        }
    }

    public IReadOnlyDictionary<string, bool> ZoneStates
    {
        get
        {
            lock (_gate)
            {
                return _zones.ToDictionary(z => z.Id, z => _on.GetValueOrDefault(z.Pin), StringComparer.Ordinal);
            }
        }
    }

    /// <summary>Opens every relay line as an output, driven off. Returns the lines that failed.</summary>
    public IReadOnlyList<(string Relay, Exception Error)> OpenAllOff()
    {
        var failures = new List<(string, Exception)>();
        foreach (var (name, pin) in Lines())
        {
            try
            {
                if (!_gpio.IsPinOpen(pin))
                {
                    _gpio.OpenPin(pin, PinMode.Output, PinValue.Low);
                }

                Set(pin, false);
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or ArgumentException or UnauthorizedAccessException or NotSupportedException)
            {
                failures.Add((name, ex));
            }
        }

        return failures;
    }

    public void Amplifier(bool on) => Set(_amplifier, on);

    public void Zone(ZoneRelay zone, bool on)
    {
        ArgumentNullException.ThrowIfNull(zone);
        Set(zone.Pin, on);
    }

    public void Zones(bool on)
    {
        foreach (var zone in _zones)
        {
            Set(zone.Pin, on);
        }
    }

    /// <summary>Zones off, then the amplifier; every line is tried. Returns the lines that failed.</summary>
    public IReadOnlyList<(string Relay, Exception Error)> AllOff()
    {
        var failures = new List<(string, Exception)>();
        foreach (var (name, pin) in Lines().Reverse())
        {
            try
            {
                Set(pin, false);
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or ArgumentException or UnauthorizedAccessException or NotSupportedException or ObjectDisposedException)
            {
                failures.Add((name, ex));
            }
        }

        return failures;
    }

    /// <summary>Each relay line as the GPIO driver reads it back now ("amplifier GPIO 5 = Low"), for the shutdown log.</summary>
    public string ReadBack() => string.Join(", ", Lines().Select(l =>
    {
        string level;
        try
        {
            level = _gpio.Read(l.Pin).ToString();
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ArgumentException or NotSupportedException or ObjectDisposedException)
        {
            level = "unreadable (" + ex.Message + ")";
        }

        return $"{l.Name} GPIO {l.Pin} = {level}";
    }));

    private IEnumerable<(string Name, int Pin)> Lines() =>
        _zones.Select(z => ("zone " + z.Id, z.Pin)).Prepend(("amplifier", _amplifier));

    private void Set(int pin, bool on)
    {
        lock (_gate)
        {
            _gpio.Write(pin, on ? PinValue.High : PinValue.Low);
            _on[pin] = on;
        }
    }
}
