using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using EdgeGateway.Modbus;
using EdgeGateway.Modbus.Decoding;

namespace EdgeGateway.Cli;

/// <summary>
/// Formats one read as <c>modbus read</c> prints it, into a caller's character buffer, allocating nothing per
/// read. Text: one decoded value per line. JSON: <c>{"registers":[...],"values":[...]}</c> and a newline.
/// Unscaled values print exactly as their type holds them (64-bit integers in full, float32 in its own
/// shortest round-trip form); scaled ones as the shortest round-trip double.
/// </summary>
internal sealed class ReadFormat : IDisposable
{
    // The widest value printed: a float64 in round-trip form ("-1.7976931348623157E+308") and a separator.
    private const int MaxValueChars = 26;

    private static readonly JsonEncodedText RegistersName = JsonEncodedText.Encode("registers");
    private static readonly JsonEncodedText ValuesName = JsonEncodedText.Encode("values");

    private readonly bool _json;
    private readonly bool _bits;
    private readonly bool _raw;
    private readonly int _count;
    private readonly int _width;
    private readonly RegisterType _type;
    private readonly ByteOrder _order;
    private readonly double _scale;
    private readonly double _offset;
    private readonly char[] _value = new char[MaxValueChars];
    private readonly ArrayBufferWriter<byte>? _utf8;
    private readonly Utf8JsonWriter? _writer;

    public ReadFormat(ReadSettings settings)
    {
        _json = settings.Json;
        _bits = settings.Bits;
        _type = settings.RegisterType;
        _width = RegisterDecoder.Width(_type);
        _count = _bits ? settings.Items : settings.Count;
        _order = settings.Order;
        _scale = settings.Scale;
        _offset = settings.Offset;
        _raw = _scale == 1 && _offset == 0;
        MaxChars = (_count * MaxValueChars) + (_json ? 32 + (settings.Items * 6) : 0);
        if (_json)
        {
            _utf8 = new ArrayBufferWriter<byte>(MaxChars);
            _writer = new Utf8JsonWriter(_utf8);
        }
    }

    /// <summary>The most characters one read can take.</summary>
    public int MaxChars { get; }

    /// <summary>Writes the read of <paramref name="words"/> into <paramref name="into"/> (at least
    /// <see cref="MaxChars"/> long); returns the characters written.</summary>
    public int Write(ReadOnlySpan<ushort> words, Span<char> into)
    {
        var at = 0;
        if (!_json)
        {
            for (var i = 0; i < _count; i++)
            {
                at += _bits ? Put(words[i], into[at..], default) : FormatValue(words.Slice(i * _width, _width), into[at..], out _);
                into[at++] = '\n';
            }

            return at;
        }

        var json = _writer!;
        _utf8!.ResetWrittenCount();
        json.Reset(_utf8);
        json.WriteStartObject();
        json.WriteStartArray(RegistersName);
        foreach (var word in words)
        {
            json.WriteNumberValue(word);
        }

        json.WriteEndArray();
        json.WriteStartArray(ValuesName);
        for (var i = 0; i < _count; i++)
        {
            if (_bits)
            {
                json.WriteNumberValue(words[i]);
                continue;
            }

            var length = FormatValue(words.Slice(i * _width, _width), _value, out var finite);
            if (finite)
            {
                // The text form is already the shortest round-trip; write it as the JSON number.
                json.WriteRawValue(_value.AsSpan(0, length), skipInputValidation: false);
            }
            else
            {
                json.WriteNullValue(); // NaN and infinities (a sensor's "no value") have no JSON number.
            }
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        at = Encoding.UTF8.GetChars(_utf8.WrittenSpan, into);
        into[at++] = '\n';
        return at;
    }

    public void Dispose() => _writer?.Dispose();

    private int FormatValue(ReadOnlySpan<ushort> registers, Span<char> into, out bool finite)
    {
        finite = true;
        if (!_raw)
        {
            var value = RegisterDecoder.Decode(registers, _type, _order, _scale, _offset);
            finite = double.IsFinite(value);
            return Put(value, into, "R");
        }

        var bits = RegisterDecoder.ReadBits(registers, _width, _order);
        switch (_type)
        {
            case RegisterType.UInt16 or RegisterType.UInt32 or RegisterType.UInt64:
                return Put(bits, into, default);
            case RegisterType.Int16:
                return Put((short)bits, into, default);
            case RegisterType.Int32:
                return Put((int)bits, into, default);
            case RegisterType.Int64:
                return Put((long)bits, into, default);
            case RegisterType.Float32:
                var single = BitConverter.UInt32BitsToSingle((uint)bits);
                finite = float.IsFinite(single);
                return Put(single, into, "R");
            default:
                var number = BitConverter.UInt64BitsToDouble(bits);
                finite = double.IsFinite(number);
                return Put(number, into, "R");
        }
    }

    private static int Put<T>(T value, Span<char> into, ReadOnlySpan<char> format)
        where T : ISpanFormattable =>
        value.TryFormat(into, out var written, format, CultureInfo.InvariantCulture)
            ? written
            : throw new InvalidOperationException("value wider than its buffer");
}

/// <summary>
/// The output of a run of reads, written in blocks: when too little room is left for another read, when
/// <see cref="ModbusReader.FlushEvery"/> has passed since the last block, and whenever the caller flushes.
/// </summary>
internal sealed class PendingOutput(TextWriter output, int capacity, TimeProvider time)
{
    private readonly char[] _buffer = new char[capacity];
    private int _length;
    private long _since = time.GetTimestamp();

    /// <summary>The free part of the buffer; the caller makes sure <paramref name="need"/> fits by flushing when due.</summary>
    public Span<char> Free(int need)
    {
        if (_buffer.Length - _length < need)
        {
            throw new InvalidOperationException("output buffer not flushed in time");
        }

        return _buffer.AsSpan(_length);
    }

    public void Advance(int written) => _length += written;

    /// <summary>Flushes when the next read might not fit or the oldest output has waited long enough.</summary>
    public ValueTask FlushIfDueAsync(int need)
    {
        return _buffer.Length - _length < need || time.GetElapsedTime(_since) >= ModbusReader.FlushEvery
            ? FlushAsync()
            : ValueTask.CompletedTask;
    }

    public async ValueTask FlushAsync()
    {
        _since = time.GetTimestamp();
        if (_length == 0)
        {
            return;
        }

        var length = _length;
        _length = 0;
        await output.WriteAsync(_buffer.AsMemory(0, length)).ConfigureAwait(false);
    }
}
