namespace EdgeGateway.Sl651.Internal;

/// <summary>
/// Packed BCD, two digits a byte, most significant first: 14.420 m with 3 decimals in 4 bytes is
/// <c>00 01 44 20</c>. A negative value gives its first byte to the sign: <c>FF</c> then the magnitude in the
/// remaining bytes. All bytes <c>AA</c> is "no data".
/// </summary>
internal static class Bcd
{
    /// <summary>28 digits: the most a decimal holds exactly.</summary>
    public const int MaxNumberBytes = 14;

    public const byte NegativeMark = 0xFF;

    public const byte NoDataByte = 0xAA;

    public static bool TryByte(byte b, out int value)
    {
        value = ((b >> 4) * 10) + (b & 0x0F);
        return (b >> 4) <= 9 && (b & 0x0F) <= 9;
    }

    public static byte Byte(int value) => (byte)(((value / 10) << 4) | (value % 10));

    /// <summary>The magnitude's digits, or -1 for the index of the first byte that is not BCD.</summary>
    public static bool TryMagnitude(ReadOnlySpan<byte> bytes, out UInt128 magnitude, out int badIndex)
    {
        magnitude = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (!TryByte(bytes[i], out var two))
            {
                badIndex = i;
                return false;
            }

            magnitude = (magnitude * 100) + (uint)two;
        }

        badIndex = -1;
        return true;
    }

    public static void WriteMagnitude(Span<byte> destination, UInt128 magnitude)
    {
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = Byte((int)(magnitude % 100));
            magnitude /= 100;
        }
    }

    /// <summary>The decimal with exactly <paramref name="decimals"/> decimal places, so 10.0 prints as 10.0.</summary>
    public static decimal ToDecimal(UInt128 magnitude, bool negative, int decimals)
    {
        var bits = decimal.GetBits((decimal)magnitude);
        return new decimal(bits[0], bits[1], bits[2], negative, (byte)decimals);
    }

    /// <summary>The value's digits at the definition's decimals; false when it has more decimals than that.</summary>
    public static bool TryScale(decimal value, int decimals, out UInt128 magnitude)
    {
        var scaled = Math.Abs(value);
        for (var i = 0; i < decimals; i++)
        {
            scaled *= 10;
        }

        magnitude = decimal.Truncate(scaled) == scaled ? (UInt128)scaled : 0;
        return decimal.Truncate(scaled) == scaled;
    }

    public static UInt128 Limit(int digitBytes)
    {
        UInt128 limit = 1;
        for (var i = 0; i < digitBytes; i++)
        {
            limit *= 100;
        }

        return limit;
    }

    /// <summary>Whether the value goes into the definition's length and decimals (a negative one gives a byte to FF).</summary>
    public static bool Fits(decimal value, byte definition)
    {
        var length = definition >> 3;
        var negative = value < 0;
        var digitBytes = negative ? length - 1 : length;
        if (length is 0 or > MaxNumberBytes || digitBytes == 0 || !TryScale(value, definition & 0x07, out var magnitude))
        {
            return false;
        }

        // Negative zero has no canonical form; the caller passes zero without a sign.
        return magnitude < Limit(digitBytes) && !(negative && magnitude == 0);
    }
}
