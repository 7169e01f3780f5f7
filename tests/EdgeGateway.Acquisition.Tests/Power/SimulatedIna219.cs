using System.Buffers.Binary;
using System.Device.I2c;

namespace EdgeGateway.Acquisition.Tests.Power;

/// <summary>
/// An INA219 register file behind the I2cDevice seam the binding uses: a one-byte write sets the register
/// pointer, a three-byte write sets a register (big endian), a two-byte read returns the pointed register.
/// When <see cref="Present"/> is false every transfer fails as the kernel reports a missing ACK (EREMOTEIO).
/// </summary>
internal sealed class SimulatedIna219(int bus, int address) : I2cDevice
{
    private readonly ushort[] _registers = new ushort[6];
    private int _pointer;

    public bool Present { get; set; } = true;

    public int Transfers { get; private set; }

    public override I2cConnectionSettings ConnectionSettings { get; } = new(bus, address);

    /// <summary>Bus voltage register: bits 15..3 in 4 mV steps.</summary>
    public double BusVolts
    {
        set => _registers[2] = (ushort)((int)Math.Round(value * 1000 / 4) << 3);
    }

    public override byte ReadByte() => throw new NotSupportedException();

    public override void WriteByte(byte value) => Write([value]);

    public override void Read(Span<byte> buffer)
    {
        Transfer();
        BinaryPrimitives.WriteUInt16BigEndian(buffer, _registers[_pointer]);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Transfer();
        _pointer = buffer[0];
        if (buffer.Length == 3)
        {
            _registers[_pointer] = BinaryPrimitives.ReadUInt16BigEndian(buffer[1..]);
        }
    }

    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Write(writeBuffer);
        Read(readBuffer);
    }

    private void Transfer()
    {
        Transfers++;
        if (!Present)
        {
            throw new IOException("Error 121 performing I2C data transfer.");
        }
    }
}
