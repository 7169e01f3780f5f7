namespace EdgeGateway.Sl651;

/// <summary>
/// CRC-16/MODBUS (reflected polynomial 0xA001, initial 0xFFFF) as SL 651-2014 uses it: over every byte from the
/// first <c>7E</c> to the end byte, and sent HIGH byte first, the reverse of Modbus RTU.
/// </summary>
public static class Sl651Crc16
{
    // Nibble-driven: 16 entries are enough for a few frames a minute and keep the table obvious.
    private static readonly ushort[] s_nibbles = BuildNibbles();

    public static ushort Compute(ReadOnlySpan<byte> data)
    {
        var nibbles = s_nibbles;
        var crc = 0xFFFF;
        foreach (var b in data)
        {
            crc ^= b;
            crc = (crc >> 4) ^ nibbles[crc & 0x0F];
            crc = (crc >> 4) ^ nibbles[crc & 0x0F];
        }

        return (ushort)crc;
    }

    private static ushort[] BuildNibbles()
    {
        var nibbles = new ushort[16];
        for (var n = 0; n < nibbles.Length; n++)
        {
            var r = n;
            for (var bit = 0; bit < 4; bit++)
            {
                r = (r & 1) != 0 ? (r >> 1) ^ 0xA001 : r >> 1;
            }

            nibbles[n] = (ushort)r;
        }

        return nibbles;
    }
}
