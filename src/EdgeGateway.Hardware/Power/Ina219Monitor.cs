using System.Buffers.Binary;
using System.Device.I2c;

namespace EdgeGateway.Hardware.Power;

/// <summary>
/// An INA219 power monitor on an I2C device: the two registers the station reads, from the datasheet (TI SBOS448).
/// A register is written as its pointer byte and two bytes big endian; it is read by writing its pointer, then
/// reading two bytes big endian. The caller owns the <see cref="I2cDevice"/>: it opens it, and disposes it after this.
/// </summary>
/// <remarks>
/// Written here rather than taken from Iot.Device.Bindings: that package brings UnitsNet's thousands of types,
/// and a Native AOT executable expands the type data of every type it holds into memory at start (about 1.3 MB
/// for these), for two register transfers. See docs/performance.md, "Where the memory goes".
/// </remarks>
public sealed class Ina219Monitor(I2cDevice device) : IDisposable
{
    private const byte ConfigurationRegister = 0x00;
    private const byte BusVoltageRegister = 0x02;

    // Configuration bit 15 (RST): every register back to its power-on value (32 V range, 12-bit, continuous);
    // the bit clears itself.
    private const ushort ResetBit = 0x8000;

    // Bus voltage: bits 15..3 hold the reading in 4 mV steps; bit 1 (CNVR) and bit 0 (OVF) are flags.
    private const double BusVoltsPerStep = 0.004;

    private readonly I2cDevice _device = device ?? throw new ArgumentNullException(nameof(device));

    /// <summary>Writes the configuration register: the first transfer, so a device that is missing fails here.</summary>
    public void Reset()
    {
        Span<byte> write = [ConfigurationRegister, ResetBit >> 8, ResetBit & 0xFF];
        _device.Write(write);
    }

    /// <summary>The bus voltage (the battery or panel side), in volts.</summary>
    public double ReadBusVolts() => (ReadRegister(BusVoltageRegister) >> 3) * BusVoltsPerStep;

    /// <summary>Nothing to release: the caller disposes the device.</summary>
    public void Dispose()
    {
    }

    private ushort ReadRegister(byte register)
    {
        Span<byte> value = stackalloc byte[2];
        _device.WriteByte(register);
        _device.Read(value);
        return BinaryPrimitives.ReadUInt16BigEndian(value);
    }
}
