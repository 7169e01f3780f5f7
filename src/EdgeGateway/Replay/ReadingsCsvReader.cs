using System.Globalization;
using System.Text;

namespace EdgeGateway.Replay;

/// <summary>One parsed row of a readings file.</summary>
/// <param name="Line">1-based line number.</param>
/// <param name="Sensor">Index into the sensor ids given to the reader.</param>
/// <param name="Ticks">UTC ticks.</param>
/// <param name="Value">The value; NaN when the row has none (a reading with no valid answer).</param>
internal readonly record struct CsvReading(long Line, int Sensor, long Ticks, double Value);

internal enum CsvReadResult
{
    Reading,
    Error,
    End,
}

/// <summary>
/// Streams <c>time,sensor,value</c> rows from UTF-8 bytes: one buffer, spans over it, no string per line.
/// A row in error is reported with its line number and reading goes on with the next line.
/// </summary>
internal sealed class ReadingsCsvReader
{
    private const int BufferSize = 1 << 20;
    private static readonly byte[] Header = "time,sensor,value"u8.ToArray();

    private readonly Stream _stream;
    private readonly byte[][] _sensorIds;
    private readonly byte[] _buffer = new byte[BufferSize];
    private readonly byte[] _lastTimeText = new byte[32];
    private int _lastTimeLength = -1;
    private long _lastTimeTicks;
    private int _start;
    private int _end;
    private bool _eof;
    private long _line;

    public ReadingsCsvReader(Stream stream, IReadOnlyList<string> sensorIds)
    {
        _stream = stream;
        _sensorIds = [.. sensorIds.Select(Encoding.UTF8.GetBytes)];
    }

    /// <summary>The message of the last <see cref="CsvReadResult.Error"/>.</summary>
    public string ErrorMessage { get; private set; } = "";

    /// <summary>The line of the last row or error.</summary>
    public long Line => _line;

    public CsvReadResult Read(out CsvReading reading)
    {
        reading = default;
        while (true)
        {
            if (!TryNextLine(out var line))
            {
                if (_line == 0)
                {
                    return Fail(1, "the file is empty; expected the header time,sensor,value");
                }

                return CsvReadResult.End;
            }

            _line++;
            if (_line == 1)
            {
                if (line.StartsWith("\uFEFF"u8))
                {
                    line = line[3..];
                }

                if (!line.Trim((byte)' ').SequenceEqual(Header))
                {
                    return Fail(_line, "expected the header time,sensor,value");
                }

                continue;
            }

            if (line.IsEmpty)
            {
                continue;
            }

            return ParseRow(line, out reading);
        }
    }

    private CsvReadResult ParseRow(ReadOnlySpan<byte> line, out CsvReading reading)
    {
        reading = default;
        var c1 = line.IndexOf((byte)',');
        if (c1 < 0)
        {
            return Fail(_line, "expected three fields: time,sensor,value");
        }

        var rest = line[(c1 + 1)..];
        var c2 = rest.IndexOf((byte)',');
        if (c2 < 0)
        {
            return Fail(_line, "expected three fields: time,sensor,value");
        }

        var timeText = Field(line[..c1]);
        var sensorText = Field(rest[..c2]);
        var valueText = Field(rest[(c2 + 1)..]);
        if (valueText.IndexOf((byte)',') >= 0)
        {
            return Fail(_line, "expected three fields: time,sensor,value");
        }

        if (!TryParseTime(timeText, out var ticks))
        {
            return Fail(_line, $"'{Text(timeText)}' is not an ISO 8601 UTC time such as 2026-07-01T03:00:00Z");
        }

        var sensor = FindSensor(sensorText);
        if (sensor < 0)
        {
            return Fail(_line, $"unknown sensor '{Text(sensorText)}' (not in the configuration's sensors)");
        }

        double value;
        if (valueText.IsEmpty)
        {
            value = double.NaN;
        }
        else if (!double.TryParse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture, out value)
                 || double.IsInfinity(value))
        {
            return Fail(_line, $"'{Text(valueText)}' is not a number (leave the value empty for a reading with no valid answer)");
        }

        reading = new CsvReading(_line, sensor, ticks, value);
        return CsvReadResult.Reading;
    }

    private CsvReadResult Fail(long line, string message)
    {
        _line = line;
        ErrorMessage = message;
        return CsvReadResult.Error;
    }

    private static ReadOnlySpan<byte> Field(ReadOnlySpan<byte> field)
    {
        field = field.Trim((byte)' ');
        return field.Length >= 2 && field[0] == (byte)'"' && field[^1] == (byte)'"' ? field[1..^1] : field;
    }

    private static string Text(ReadOnlySpan<byte> field) =>
        field.Length > 60 ? Encoding.UTF8.GetString(field[..60]) + "..." : Encoding.UTF8.GetString(field);

    private int FindSensor(ReadOnlySpan<byte> id)
    {
        for (var i = 0; i < _sensorIds.Length; i++)
        {
            if (id.SequenceEqual(_sensorIds[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private bool TryParseTime(ReadOnlySpan<byte> text, out long ticks)
    {
        // Rows of one instant share their time text: compare before parsing again.
        if (text.Length == _lastTimeLength && text.SequenceEqual(_lastTimeText.AsSpan(0, _lastTimeLength)))
        {
            ticks = _lastTimeTicks;
            return true;
        }

        if (!(TryParseFixedUtc(text, out ticks) || TryParseIso(text, out ticks)))
        {
            return false;
        }

        if (text.Length <= _lastTimeText.Length)
        {
            text.CopyTo(_lastTimeText);
            _lastTimeLength = text.Length;
            _lastTimeTicks = ticks;
        }

        return true;
    }

    // yyyy-MM-ddTHH:mm:ssZ, the form recorders and our own tools write.
    private static bool TryParseFixedUtc(ReadOnlySpan<byte> s, out long ticks)
    {
        ticks = 0;
        if (s.Length != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
        {
            return false;
        }

        if (!TryDigits(s[..4], out var year) || !TryDigits(s.Slice(5, 2), out var month) || !TryDigits(s.Slice(8, 2), out var day)
            || !TryDigits(s.Slice(11, 2), out var hour) || !TryDigits(s.Slice(14, 2), out var minute)
            || !TryDigits(s.Slice(17, 2), out var second))
        {
            return false;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        ticks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).Ticks;
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<byte> s, out int value)
    {
        value = 0;
        foreach (var b in s)
        {
            var d = b - '0';
            if ((uint)d > 9)
            {
                return false;
            }

            value = (value * 10) + d;
        }

        return true;
    }

    // Other ISO 8601 forms: fractional seconds, an explicit offset. A time without a zone is refused:
    // a local time in a readings file is a mistake waiting to shift every transition.
    private static bool TryParseIso(ReadOnlySpan<byte> s, out long ticks)
    {
        ticks = 0;
        if (s.Length is < 20 or > 40 || s[10] != 'T')
        {
            return false;
        }

        var hasZone = s[^1] == 'Z' || (s.Length >= 25 && (s[^6] == '+' || s[^6] == '-') && s[^3] == ':');
        if (!hasZone)
        {
            return false;
        }

        Span<char> chars = stackalloc char[s.Length];
        for (var i = 0; i < s.Length; i++)
        {
            chars[i] = (char)s[i];
        }

        if (!DateTimeOffset.TryParseExact(
                chars,
                ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"],
                CultureInfo.InvariantCulture,
                DateTimeStyles.None,
                out var time))
        {
            return false;
        }

        ticks = time.UtcTicks;
        return true;
    }

    private bool TryNextLine(out ReadOnlySpan<byte> line)
    {
        while (true)
        {
            var available = _buffer.AsSpan(_start, _end - _start);
            var newline = available.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                line = available[..newline];
                _start += newline + 1;
                if (!line.IsEmpty && line[^1] == '\r')
                {
                    line = line[..^1];
                }

                return true;
            }

            if (_eof)
            {
                if (available.IsEmpty)
                {
                    line = default;
                    return false;
                }

                line = available;
                _start = _end;
                if (line[^1] == '\r')
                {
                    line = line[..^1];
                }

                return true;
            }

            if (_start == 0 && _end == _buffer.Length)
            {
                throw new InvalidDataException($"line {_line + 1} is longer than {BufferSize} bytes");
            }

            // Move the partial line to the front and fill the rest.
            available.CopyTo(_buffer);
            _end = available.Length;
            _start = 0;
            var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0)
            {
                _eof = true;
            }

            _end += read;
        }
    }
}
