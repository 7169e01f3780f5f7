using System.Text;
using EdgeGateway.Modbus.Tests.Support;

namespace EdgeGateway.Modbus.Tests;

public sealed class ModbusCrc16Tests
{
    [Theory]
    // The CRC-16/MODBUS check value, and frames from the Modbus specification and device manuals.
    [InlineData("313233343536373839", 0x4B37)]
    [InlineData("01030000000A", 0xCDC5)]
    [InlineData("1103006B0003", 0x8776)]
    [InlineData("010300000001", 0x0A84)]
    [InlineData("", 0xFFFF)]
    public void Compute_KnownVectors_MatchReference(string hex, int expected)
    {
        Assert.Equal((ushort)expected, ModbusCrc16.Compute(Frames.Hex(hex)));
    }

    [Fact]
    public void Compute_AsciiCheckString_Is4B37()
    {
        Assert.Equal(0x4B37, ModbusCrc16.Compute(Encoding.ASCII.GetBytes("123456789")));
    }

    [Fact]
    public void Compute_FrameWithItsOwnCrcAppended_IsZero()
    {
        // Appending the CRC low byte first makes the CRC over the whole frame zero: a property of CRC-16/MODBUS.
        var frame = Frames.Rtu(0x11, 0x03, 0x06, 0xAE, 0x41, 0x56, 0x52, 0x43, 0x40);
        Assert.Equal(0, ModbusCrc16.Compute(frame));
    }

    [Fact]
    public void Compute_MatchesBitwiseReference_ForRandomData()
    {
        var random = new Random(1234);
        for (var n = 0; n < 200; n++)
        {
            var data = new byte[random.Next(0, 300)];
            random.NextBytes(data);
            Assert.Equal(Bitwise(data), ModbusCrc16.Compute(data));
        }
    }

    private static ushort Bitwise(byte[] data)
    {
        ushort crc = 0xFFFF;
        foreach (var b in data)
        {
            crc ^= b;
            for (var i = 0; i < 8; i++)
            {
                crc = (crc & 1) != 0 ? (ushort)((crc >> 1) ^ 0xA001) : (ushort)(crc >> 1);
            }
        }

        return crc;
    }
}
