using System.Device.I2c;
using EdgeGateway.Hardware.Power;

namespace EdgeGateway.Hardware.Tests.Power;

/// <summary>The INA219's register transfers as the datasheet gives them, byte for byte.</summary>
public sealed class Ina219MonitorTests
{
    [Fact]
    public void Reset_WritesTheResetBitToTheConfigurationRegister()
    {
        var device = new RecordingI2cDevice();
        using var monitor = new Ina219Monitor(device);

        monitor.Reset();

        Assert.Equal([[0x00, 0x80, 0x00]], device.Writes);
    }

    [Theory]
    // 12.6 V = 3150 steps of 4 mV in bits 15..3; the flags in bits 1 and 0 are not part of the reading.
    [InlineData(new byte[] { 0x62, 0x70 }, 12.6)]
    [InlineData(new byte[] { 0x62, 0x73 }, 12.6)]
    [InlineData(new byte[] { 0x00, 0x08 }, 0.004)]
    [InlineData(new byte[] { 0xFF, 0xF8 }, 32.764)]
    [InlineData(new byte[] { 0x00, 0x00 }, 0.0)]
    public void ReadBusVolts_PointsAtTheBusRegisterAndScalesItsThirteenBits(byte[] register, double volts)
    {
        var device = new RecordingI2cDevice { NextRead = register };
        using var monitor = new Ina219Monitor(device);

        var read = monitor.ReadBusVolts();

        Assert.Equal(volts, read, 6);
        Assert.Equal([[0x02]], device.Writes);
        Assert.Equal(1, device.Reads);
    }

    [Fact]
    public void Dispose_LeavesTheDeviceToItsOwner()
    {
        var device = new RecordingI2cDevice();
        new Ina219Monitor(device).Dispose();

        Assert.False(device.Disposed);
    }

    private sealed class RecordingI2cDevice : I2cDevice
    {
        public List<byte[]> Writes { get; } = [];

        public byte[] NextRead { get; init; } = [0, 0];

        public int Reads { get; private set; }

        public bool Disposed { get; private set; }

        public override I2cConnectionSettings ConnectionSettings { get; } = new(1, 0x40);

        public override byte ReadByte() => throw new NotSupportedException();

        public override void Read(Span<byte> buffer)
        {
            Reads++;
            NextRead.CopyTo(buffer);
        }

        public override void WriteByte(byte value) => Writes.Add([value]);

        public override void Write(ReadOnlySpan<byte> buffer) => Writes.Add(buffer.ToArray());

        public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
