using System.Globalization;

namespace EdgeGateway.Sl651;

/// <summary>How an element's value bytes are read.</summary>
public enum Sl651ValueKind
{
    /// <summary>A BCD number with the definition byte's decimals; a first byte <c>FF</c> makes it negative.</summary>
    Number,

    /// <summary>All value bytes <c>AA</c>: the station has no value for this element.</summary>
    NoData,

    /// <summary>Binary bytes kept as they are: the F4/F5 blocks of twelve 5-minute samples, the status word 45.</summary>
    Binary,
}

/// <summary>
/// One element of a report: identifier, definition byte (high 5 bits value length in bytes, low 3 bits
/// decimals) and value. Identifiers are one byte, or <c>FF xx</c> for a user identifier (held as 0xFFxx).
/// </summary>
public sealed class Sl651Element : IEquatable<Sl651Element>
{
    private readonly byte[] _binary;

    private Sl651Element(ushort id, byte definition, Sl651ValueKind kind, decimal value, byte[] binary)
    {
        Id = id;
        Definition = definition;
        Kind = kind;
        NumberValue = value;
        _binary = binary;
    }

    /// <summary>0x00..0xFE for one-byte identifiers, 0xFF00..0xFFFF for <c>FF xx</c> user identifiers.</summary>
    public ushort Id { get; }

    public byte Definition { get; }

    public Sl651ValueKind Kind { get; }

    /// <summary>Value length in bytes: the definition byte's high 5 bits.</summary>
    public int Length => Definition >> 3;

    /// <summary>Decimals of a BCD value: the definition byte's low 3 bits.</summary>
    public int Decimals => Definition & 0x07;

    /// <summary>The number, or null when the element is no data or binary.</summary>
    public decimal? Value => Kind == Sl651ValueKind.Number ? NumberValue : null;

    /// <summary>The raw value bytes of a binary element (empty otherwise).</summary>
    public ReadOnlyMemory<byte> Binary => _binary;

    /// <summary>"20", "39", or "FF0E" for a user identifier.</summary>
    public string IdText => FormatId(Id);

    internal decimal NumberValue { get; }

    internal bool IsTwoByteId => Id > 0xFF;

    /// <summary>
    /// A number with the identifier's standard definition, rounded half away from zero to its decimals
    /// (a river level of 14.4204 m goes out as 14.420). Unknown identifiers need <see cref="Number(ushort, byte, decimal)"/>.
    /// </summary>
    public static Sl651Element Number(ushort id, decimal value) =>
        Number(id, Sl651Elements.Find(id)?.Definition ?? throw new ArgumentException($"no standard definition for element {FormatId(id)}", nameof(id)), value);

    public static Sl651Element Number(ushort id, byte definition, decimal value)
    {
        CheckId(id);
        CheckNotBinary(id);
        var decimals = definition & 0x07;
        var rounded = Math.Round(value, decimals, MidpointRounding.AwayFromZero);
        if (!Internal.Bcd.Fits(rounded, definition))
        {
            throw new Sl651FrameException(Sl651FrameError.ValueOutOfRange, -1,
                $"element {FormatId(id)}: {value.ToString(CultureInfo.InvariantCulture)} does not fit {definition >> 3} bytes with {decimals} decimals");
        }

        // Kept at exactly the definition's decimals and never negative zero, as the decoder gives it back.
        Internal.Bcd.TryScale(rounded, decimals, out var magnitude);
        var canonical = Internal.Bcd.ToDecimal(magnitude, rounded < 0 && magnitude != 0, decimals);
        return new Sl651Element(id, definition, Sl651ValueKind.Number, canonical, []);
    }

    /// <summary>An element the station has no value for (its sensor's quality is not good): all value bytes <c>AA</c>.</summary>
    public static Sl651Element NoData(ushort id) =>
        NoData(id, Sl651Elements.Find(id)?.Definition ?? throw new ArgumentException($"no standard definition for element {FormatId(id)}", nameof(id)));

    public static Sl651Element NoData(ushort id, byte definition)
    {
        CheckId(id);
        CheckNotBinary(id);
        CheckLength(definition);
        return new Sl651Element(id, definition, Sl651ValueKind.NoData, 0m, []);
    }

    /// <summary>A binary element (F4, F5, 45): the bytes as they go on the wire; their count sets the definition byte.</summary>
    public static Sl651Element BinaryBlock(ushort id, ReadOnlySpan<byte> bytes)
    {
        CheckId(id);
        if (!Sl651Elements.IsBinary(id))
        {
            // The decoder reads every other identifier as BCD: such a block would not come back as itself.
            throw new ArgumentException($"element {FormatId(id)} is a BCD number, not a binary block", nameof(id));
        }

        if (bytes.Length is 0 or > 31)
        {
            throw new Sl651FrameException(Sl651FrameError.ValueOutOfRange, -1, $"element {FormatId(id)}: {bytes.Length} bytes; a value holds 1 to 31");
        }

        return new Sl651Element(id, (byte)(bytes.Length << 3), Sl651ValueKind.Binary, 0m, bytes.ToArray());
    }

    /// <summary>
    /// F4: twelve 5-minute rainfalls in 0.1 mm (one byte each); F5: twelve 5-minute relative levels in 0.01 m
    /// (two bytes each, big endian). <c>FF</c> / <c>FFFF</c> mark a missing sample.
    /// </summary>
    public IReadOnlyList<int?> Samples()
    {
        var width = Id == Sl651Elements.FiveMinuteLevels ? 2 : 1;
        var samples = new List<int?>(_binary.Length / width);
        for (var i = 0; i + width <= _binary.Length; i += width)
        {
            var raw = width == 2 ? (_binary[i] << 8) | _binary[i + 1] : _binary[i];
            samples.Add(raw == (width == 2 ? 0xFFFF : 0xFF) ? null : raw);
        }

        return samples;
    }

    public static string FormatId(ushort id) =>
        id > 0xFF ? id.ToString("X4", CultureInfo.InvariantCulture) : id.ToString("X2", CultureInfo.InvariantCulture);

    internal static Sl651Element FromWire(ushort id, byte definition, Sl651ValueKind kind, decimal value, byte[] binary) =>
        new(id, definition, kind, value, binary);

    public bool Equals(Sl651Element? other) =>
        other is not null && Id == other.Id && Definition == other.Definition && Kind == other.Kind
        && NumberValue == other.NumberValue && _binary.AsSpan().SequenceEqual(other._binary);

    public override bool Equals(object? obj) => Equals(obj as Sl651Element);

    public override int GetHashCode() => HashCode.Combine(Id, Definition, Kind, NumberValue, _binary.Length);

    public override string ToString() => Kind switch
    {
        Sl651ValueKind.Number => $"{IdText}={NumberValue.ToString(CultureInfo.InvariantCulture)}",
        Sl651ValueKind.NoData => $"{IdText}=no data",
        _ => $"{IdText}={Convert.ToHexString(_binary)}",
    };

    private static void CheckNotBinary(ushort id)
    {
        if (Sl651Elements.IsBinary(id))
        {
            // The decoder reads this identifier's bytes as a binary block: a BCD form would not come back as itself.
            throw new ArgumentException($"element {FormatId(id)} is a binary block: use BinaryBlock", nameof(id));
        }
    }

    private static void CheckId(ushort id)
    {
        // On the wire a user identifier is FF and one more byte; 0x0100..0xFEFF have no encoding.
        if (id == 0xFF || (id > 0xFF && id >> 8 != 0xFF))
        {
            throw new ArgumentOutOfRangeException(nameof(id), $"{id:X} is not an identifier: one byte 00-FE, or FFxx for a user identifier");
        }
    }

    private static void CheckLength(byte definition)
    {
        if (definition >> 3 == 0)
        {
            throw new Sl651FrameException(Sl651FrameError.ValueOutOfRange, -1, $"definition byte {definition:X2} gives a value of 0 bytes");
        }
    }
}
