using System.Buffers.Binary;

namespace EdgeGateway.Modbus.Tests.Support;

/// <summary>Builds response frames for tests, independently of the client's own framing code.</summary>
internal static class Frames
{
    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    /// <summary>RTU frame: slave, PDU, then the CRC low byte first.</summary>
    public static byte[] Rtu(byte slave, params byte[] pdu)
    {
        var frame = new byte[pdu.Length + 3];
        frame[0] = slave;
        pdu.CopyTo(frame, 1);
        var crc = ModbusCrc16.Compute(frame.AsSpan(0, pdu.Length + 1));
        BinaryPrimitives.WriteUInt16LittleEndian(frame.AsSpan(pdu.Length + 1), crc);
        return frame;
    }

    /// <summary>MBAP frame: transaction, protocol, length (unit + PDU unless given), unit, PDU.</summary>
    public static byte[] Tcp(ushort transaction, byte unit, byte[] pdu, ushort protocol = 0, int? length = null)
    {
        var frame = new byte[pdu.Length + 7];
        BinaryPrimitives.WriteUInt16BigEndian(frame, transaction);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), protocol);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(4), (ushort)(length ?? (pdu.Length + 1)));
        frame[6] = unit;
        pdu.CopyTo(frame, 7);
        return frame;
    }

    public static ushort TransactionOf(byte[] request) => BinaryPrimitives.ReadUInt16BigEndian(request);

    /// <summary>A read-registers response PDU carrying <paramref name="registers"/>.</summary>
    public static byte[] RegistersPdu(byte function, params ushort[] registers)
    {
        var pdu = new byte[2 + (registers.Length * 2)];
        pdu[0] = function;
        pdu[1] = (byte)(registers.Length * 2);
        for (var i = 0; i < registers.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(pdu.AsSpan(2 + (2 * i)), registers[i]);
        }

        return pdu;
    }
}
