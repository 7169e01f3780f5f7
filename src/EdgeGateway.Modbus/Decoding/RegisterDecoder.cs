using System.Buffers.Binary;
using System.Globalization;

namespace EdgeGateway.Modbus.Decoding;

/// <summary>
/// Turns consecutive 16-bit registers into typed values and back, for each <see cref="ByteOrder"/>.
/// Registers are the words as the client returns them (each already big endian on the wire, hi byte first).
/// <code>
/// value bytes, most significant first:  A B C D            (64-bit: A B C D E F G H)
///
/// ABCD  registers [A B] [C D]          64-bit [A B] [C D] [E F] [G H]   big endian, Modbus's own
/// CDAB  registers [C D] [A B]          64-bit [G H] [E F] [C D] [A B]   least significant word first
/// BADC  registers [B A] [D C]          64-bit [B A] [D C] [F E] [H G]   bytes swapped in each word
/// DCBA  registers [D C] [B A]          64-bit [H G] [F E] [D C] [B A]   little endian
///
/// 16-bit types honour the byte swap only:  ABCD, CDAB  [A B];   BADC, DCBA  [B A]
/// </code>
/// </summary>
public static class RegisterDecoder
{
    /// <summary>How many registers a value of <paramref name="type"/> spans: 1, 2 or 4.</summary>
    public static int Width(RegisterType type) => type switch
    {
        RegisterType.UInt16 or RegisterType.Int16 => 1,
        RegisterType.UInt32 or RegisterType.Int32 or RegisterType.Float32 => 2,
        RegisterType.UInt64 or RegisterType.Int64 or RegisterType.Float64 => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown register type"),
    };

    /// <summary>
    /// The engineering value <c>raw * scale + offset</c> of the value in the first <see cref="Width"/> registers,
    /// computed in decimal as the configuration writes scale and offset (29 * 0.1 is 2.9, not 2.9000000000000004).
    /// </summary>
    public static double Decode(ReadOnlySpan<ushort> registers, RegisterType type, ByteOrder order, double scale = 1, double offset = 0) =>
        Scale(DecodeRaw(registers, type, order), scale, offset);

    /// <summary><c>raw * scale + offset</c> in decimal where it fits (15 significant digits), else in binary.</summary>
    public static double Scale(double raw, double scale, double offset)
    {
        if (scale == 1 && offset == 0)
        {
            return raw;
        }

        if (Fits(raw) && Fits(scale) && Fits(offset))
        {
            try
            {
                // A double becomes a decimal of 15 significant digits: that is what drops the binary noise.
                return (double)(((decimal)raw * (decimal)scale) + (decimal)offset);
            }
            catch (OverflowException)
            {
            }
        }

        return (raw * scale) + offset;

        static bool Fits(double x) => x == 0 || (double.IsFinite(x) && Math.Abs(x) < 1e15 && Math.Abs(x) >= 1e-9);
    }

    /// <summary>
    /// The raw value as a double (64-bit integers beyond 2^53 round to the nearest double). A float32 gives the
    /// double of its own shortest form, at its precision: a register holding 2.9 reads 2.9, never the widened
    /// 2.9000000953674316 (narrowing the result gives the register's float back).
    /// </summary>
    public static double DecodeRaw(ReadOnlySpan<ushort> registers, RegisterType type, ByteOrder order)
    {
        var bits = ReadBits(registers, Width(type), order);
        return type switch
        {
            RegisterType.UInt16 => (ushort)bits,
            RegisterType.Int16 => (short)bits,
            RegisterType.UInt32 => (uint)bits,
            RegisterType.Int32 => (int)bits,
            RegisterType.Float32 => AtSinglePrecision(BitConverter.UInt32BitsToSingle((uint)bits)),
            RegisterType.UInt64 => bits,
            RegisterType.Int64 => (long)bits,
            RegisterType.Float64 => BitConverter.UInt64BitsToDouble(bits),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown register type"),
        };
    }

    /// <summary>
    /// The value's bits, most significant first, gathered from <paramref name="width"/> registers in
    /// <paramref name="order"/>. Interpret them with a cast (<c>(short)</c>, <c>(int)</c>, <c>(long)</c>) or
    /// <see cref="BitConverter.UInt32BitsToSingle"/> / <see cref="BitConverter.UInt64BitsToDouble"/>.
    /// </summary>
    public static ulong ReadBits(ReadOnlySpan<ushort> registers, int width, ByteOrder order)
    {
        if (width is not (1 or 2 or 4))
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, "a value spans 1, 2 or 4 registers");
        }

        if (registers.Length < width)
        {
            throw new ArgumentException($"{width} registers needed, {registers.Length} given", nameof(registers));
        }

        var (wordsReversed, bytesSwapped) = Layout(order);
        ulong bits = 0;
        for (var i = 0; i < width; i++)
        {
            var word = registers[wordsReversed ? width - 1 - i : i];
            if (bytesSwapped)
            {
                word = BinaryPrimitives.ReverseEndianness(word);
            }

            bits = (bits << 16) | word;
        }

        return bits;
    }

    /// <summary>Lays out a value's bits (most significant first) as <paramref name="width"/> registers in <paramref name="order"/>.</summary>
    public static void WriteBits(ulong bits, int width, ByteOrder order, Span<ushort> destination)
    {
        if (width is not (1 or 2 or 4))
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, "a value spans 1, 2 or 4 registers");
        }

        if (destination.Length < width)
        {
            throw new ArgumentException($"{width} registers needed, {destination.Length} given", nameof(destination));
        }

        var (wordsReversed, bytesSwapped) = Layout(order);
        for (var i = 0; i < width; i++)
        {
            var word = (ushort)(bits >> (16 * (width - 1 - i)));
            if (bytesSwapped)
            {
                word = BinaryPrimitives.ReverseEndianness(word);
            }

            destination[wordsReversed ? width - 1 - i : i] = word;
        }
    }

    /// <summary>
    /// Encodes <paramref name="value"/> as <paramref name="type"/> in <paramref name="order"/> (the simulator's
    /// side of <see cref="DecodeRaw"/>). Integers must be whole and in the type's range.
    /// </summary>
    public static void Encode(double value, RegisterType type, ByteOrder order, Span<ushort> destination) =>
        WriteBits(ToBits(value, type), Width(type), order, destination);

    /// <summary>
    /// The bits of <paramref name="value"/> as <paramref name="type"/> (most significant first). Integers must be
    /// whole and in range; 64-bit integers beyond 2^53 cannot come exactly through a double (use the bits).
    /// </summary>
    public static ulong ToBits(double value, RegisterType type) => type switch
    {
        RegisterType.UInt16 => checked((ushort)Whole(value)),
        RegisterType.Int16 => (ushort)checked((short)Whole(value)),
        RegisterType.UInt32 => checked((uint)Whole(value)),
        RegisterType.Int32 => (uint)checked((int)Whole(value)),
        RegisterType.Float32 => BitConverter.SingleToUInt32Bits((float)value),
        RegisterType.UInt64 => checked((ulong)Whole(value)),
        RegisterType.Int64 => (ulong)checked((long)Whole(value)),
        RegisterType.Float64 => BitConverter.DoubleToUInt64Bits(value),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown register type"),
    };

    private static double AtSinglePrecision(float value) =>
        float.IsFinite(value)
            ? double.Parse(value.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture)
            : value;

    private static double Whole(double value) =>
        double.IsInteger(value) ? value : throw new OverflowException($"{value} is not a whole number");

    private static (bool WordsReversed, bool BytesSwapped) Layout(ByteOrder order) => order switch
    {
        ByteOrder.ABCD => (false, false),
        ByteOrder.CDAB => (true, false),
        ByteOrder.BADC => (false, true),
        ByteOrder.DCBA => (true, true),
        _ => throw new ArgumentOutOfRangeException(nameof(order), order, "unknown byte order"),
    };
}
