using System.Device.I2c;
using Iot.Device.Adc;

namespace EdgeGateway.Hardware.Power;

/// <summary>
/// An INA219 power monitor on an I2C device, through Iot.Device.Bindings. The caller owns the
/// <see cref="I2cDevice"/>: it opens it, and disposes it after this.
/// </summary>
public sealed class Ina219Monitor(I2cDevice device) : IDisposable
{
    private readonly Ina219 _ina = new(device);

    /// <summary>Writes the configuration register: the first transfer, so a device that is missing fails here.</summary>
    public void Reset() => _ina.Reset();

    /// <summary>The bus voltage (the battery or panel side), in volts.</summary>
    public double ReadBusVolts() => _ina.ReadBusVoltage().Volts;

    public void Dispose() => _ina.Dispose();
}
