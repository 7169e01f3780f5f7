using System.Device.I2c;
using System.Globalization;
using EdgeGateway.Acquisition.Internal;
using EdgeGateway.Acquisition.Sensors;
using EdgeGateway.Hardware.Power;
using EdgeGateway.Modbus.Decoding;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Acquisition.Power;

/// <summary>
/// An INA219 power monitor (battery or solar voltage, <see cref="Ina219Monitor"/>) read every poll period. The
/// device is opened lazily and reopened after any failure, so an INA219 that is absent at boot (no I2C bus, no
/// ACK at its address) is a comm-fault of this sensor, retried each poll, and never stops the station.
/// </summary>
internal sealed class Ina219Sensor : IDisposable
{
    private readonly Ina219Options _options;
    private readonly SensorChannel _channel;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<I2cConnectionSettings, I2cDevice> _openDevice;
    private I2cDevice? _device;
    private Ina219Monitor? _ina;

    /// <param name="openDevice">How the I2C device is opened: <see cref="I2cDevice.Create"/> on a station.</param>
    public Ina219Sensor(Ina219Options options, SensorChannel channel, TimeProvider time, ILogger logger, Func<I2cConnectionSettings, I2cDevice>? openDevice = null)
    {
        _options = options;
        _channel = channel;
        _time = time;
        _logger = logger;
        _openDevice = openDevice ?? I2cDevice.Create;
    }

    public string Id => _options.Id;

    public TimeSpan Poll => _options.Poll;

    /// <summary>Reads now and every poll period until cancelled.</summary>
    /// <param name="beat">Called once per poll (the host's watchdog).</param>
    public async Task RunAsync(CancellationToken cancellationToken, Action? beat = null)
    {
        using var timer = new PeriodicTimer(_options.Poll, _time);
        do
        {
            beat?.Invoke();
            PollOnce();
        }
        while (await WaitAsync(timer, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>One read: a good or out-of-range reading, or a comm-fault with the reason.</summary>
    public void PollOnce()
    {
        double volts;
        var opening = false;
        try
        {
            if (_ina is null)
            {
                opening = true;
                _device = _openDevice(new I2cConnectionSettings(_options.Bus, _options.Address));
                opening = false;
                var ina = new Ina219Monitor(_device);

                // Reset writes the configuration register: the first transfer, so a missing device shows here.
                ina.Reset();
                _ina = ina;
                Log.Ina219Ready(_logger, _options.Id, _options.Bus, _options.Address);
            }

            volts = _ina.ReadBusVolts();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or PlatformNotSupportedException)
        {
            var reason = Describe(ex, opening);
            Close();
            _channel.PublishFault(_time.GetUtcNow(), reason);
            return;
        }

        _channel.PublishValue(_time.GetUtcNow(), RegisterDecoder.Scale(volts, _options.Scale, _options.Offset));
    }

    public void Dispose() => Close();

    private static async ValueTask<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private string Describe(Exception ex, bool opening)
    {
        var where = string.Create(CultureInfo.InvariantCulture, $"INA219 on I2C bus {_options.Bus} at 0x{_options.Address:x2}");
        var device = string.Create(CultureInfo.InvariantCulture, $"/dev/i2c-{_options.Bus}");
        if (opening && !File.Exists(device))
        {
            return $"{where}: the I2C bus is not present ({device} missing; enable I2C, e.g. dtparam=i2c_arm=on): {ex.Message}";
        }

        if (ex is UnauthorizedAccessException)
        {
            return $"{where}: no permission to use {device} (the service user needs the i2c group): {ex.Message}";
        }

        // A transfer that fails (EREMOTEIO, ENXIO): nothing acknowledged the address.
        return opening
            ? $"{where}: {ex.Message}"
            : $"{where}: no answer at this address (check wiring, address jumpers and power): {ex.Message}";
    }

    private void Close()
    {
        _ina?.Dispose();
        _ina = null;
        _device?.Dispose();
        _device = null;
    }
}
