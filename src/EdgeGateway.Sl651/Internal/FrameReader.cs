using System.Buffers.Binary;

namespace EdgeGateway.Sl651.Internal;

/// <summary>A cursor over the input: one bounds check per read, big-endian fields, errors at the byte they concern.</summary>
internal ref struct FrameReader
{
    private readonly ReadOnlySpan<byte> _bytes;

    public FrameReader(ReadOnlySpan<byte> bytes, int start = 0)
    {
        _bytes = bytes;
        Position = start;
    }

    /// <summary>The offset of the next byte in the whole input.</summary>
    public int Position { get; private set; }

    public readonly int Remaining => _bytes.Length - Position;

    public readonly bool AtEnd => Position >= _bytes.Length;

    public readonly ReadOnlySpan<byte> Peek(int count) => Remaining >= count ? _bytes.Slice(Position, count) : [];

    public byte Byte(string what)
    {
        Need(1, what);
        return _bytes[Position++];
    }

    public ushort UInt16(string what)
    {
        Need(2, what);
        var value = BinaryPrimitives.ReadUInt16BigEndian(_bytes[Position..]);
        Position += 2;
        return value;
    }

    public ReadOnlySpan<byte> Bytes(int count, string what)
    {
        Need(count, what);
        var span = _bytes.Slice(Position, count);
        Position += count;
        return span;
    }

    private readonly void Need(int count, string what)
    {
        if (Remaining < count)
        {
            throw new Sl651FrameException(Sl651FrameError.Truncated, Position, $"{what} needs {count} byte(s), {Math.Max(0, Remaining)} left");
        }
    }
}

/// <summary>Appends big-endian fields to a growing buffer.</summary>
internal sealed class FrameWriter
{
    private byte[] _buffer = new byte[64];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, Length);

    public void Byte(byte value) => Reserve(1)[0] = value;

    public void UInt16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Reserve(2), value);

    public void Bytes(ReadOnlySpan<byte> value) => value.CopyTo(Reserve(value.Length));

    public Span<byte> Reserve(int count)
    {
        if (Length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + count));
        }

        var span = _buffer.AsSpan(Length, count);
        Length += count;
        return span;
    }

    /// <summary>Overwrites a 16-bit field written earlier (the length, known only once the body is written).</summary>
    public void PatchUInt16(int offset, ushort value) => BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(offset, 2), value);

    public byte[] ToArray() => Written.ToArray();
}
