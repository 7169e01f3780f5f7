using System.Diagnostics.CodeAnalysis;
using EdgeGateway.Sl651.Internal;

namespace EdgeGateway.Sl651;

/// <summary>What the decoder found besides the frame: the CRC as received and as computed, the frame's length in bytes.</summary>
public sealed record Sl651Decoded(Sl651Frame Frame, ushort ReceivedCrc, ushort ComputedCrc, int Length)
{
    public bool CrcOk => ReceivedCrc == ComputedCrc;
}

/// <summary>
/// Decodes SL 651-2014 HEX/BCD frames. The frame is cut by its length field, never by searching for
/// <c>7E 7E</c>: there is no byte stuffing, and a serial number or a value may hold <c>7E</c>.
/// <code>
///  offset  bytes
///  0       2   7E 7E                         start
///  2       6   up:   [centre] [station x5]   (station 5 bytes BCD, e.g. 00 12 34 56 78)
///              down: [station x5] [centre]
///  8       2   password
///  10      1   function code                 2F keep-alive, 32 timed, 33 add, ...
///  11      2   [dddd LLLL LLLL LLLL]         d: 0 up, 8 down; L: body length N (bytes between start of text and end)
///  13      1   02 STX | 16 SYN
///  (14     3   SYN only: [TTTT TTTT TTTT IIII IIII IIII] packet total T, index I)
///  14      N   body: [serial hi lo] [send time YY MM DD hh mm ss BCD] [content]
///              report content: F1 F1 [station x5] [type] F0 F0 [YY MM DD hh mm BCD] elements...
///              element:        [id | FF id2] [definition: LLLLL ddd] [L value bytes]
///  14+N    1   end: up 03 ETX / 17 ETB; down 05 ENQ, 06 ACK, 15 NAK, 04 EOT, 1B ESC
///  15+N    2   CRC-16/MODBUS over bytes 0 .. 14+N, HIGH byte first
/// </code>
/// (With SYN every offset after 13 moves by 3.) Cheap checks come first: start, direction, length, end byte,
/// CRC; only a frame whose envelope holds has its body read. The decoder throws <see cref="Sl651FrameException"/>
/// and nothing else.
/// </summary>
public static class Sl651Decoder
{
    /// <summary>Start, addresses, password, function, direction + length, start of text.</summary>
    public const int HeaderLength = 14;

    /// <summary>Serial number and send time: the least a body holds.</summary>
    public const int MinBodyLength = 8;

    /// <summary>A decoded frame whose CRC holds; anything else throws <see cref="Sl651FrameException"/>.</summary>
    public static Sl651Frame Decode(ReadOnlySpan<byte> bytes)
    {
        return Read(bytes, requireCrc: true).Frame;
    }

    public static bool TryDecode(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out Sl651Frame? frame, [NotNullWhen(false)] out Sl651FrameException? error)
    {
        try
        {
            frame = Decode(bytes);
            error = null;
            return true;
        }
        catch (Sl651FrameException e)
        {
            frame = null;
            error = e;
            return false;
        }
    }

    /// <summary>
    /// Decodes a frame field by field whatever its CRC (a technician wants to see a frame with a bad CRC too);
    /// <see cref="Sl651Decoded.CrcOk"/> says whether it holds.
    /// </summary>
    public static Sl651Decoded Inspect(ReadOnlySpan<byte> bytes) => Read(bytes, requireCrc: false);

    private static Sl651Decoded Read(ReadOnlySpan<byte> bytes, bool requireCrc)
    {
        var total = FrameLength(bytes);
        if (total < 0)
        {
            throw new Sl651FrameException(Sl651FrameError.Truncated, bytes.Length,
                $"the input ends after {bytes.Length} bytes, before the frame's header does");
        }

        if (bytes.Length < total)
        {
            throw new Sl651FrameException(Sl651FrameError.Truncated, bytes.Length,
                $"the length field asks for a {total}-byte frame; the input has {bytes.Length}");
        }

        if (bytes.Length > total)
        {
            throw new Sl651FrameException(Sl651FrameError.TrailingBytes, total, $"{bytes.Length - total} byte(s) follow the frame's CRC");
        }

        var reader = new FrameReader(bytes, 2);
        var direction = (bytes[11] & 0x80) != 0 ? Sl651Direction.Down : Sl651Direction.Up;
        byte centre;
        string station;
        if (direction == Sl651Direction.Up)
        {
            centre = reader.Byte("centre address");
            station = Convert.ToHexString(reader.Bytes(5, "station address"));
        }
        else
        {
            station = Convert.ToHexString(reader.Bytes(5, "station address"));
            centre = reader.Byte("centre address");
        }

        var password = reader.UInt16("password");
        var function = (Sl651Function)reader.Byte("function code");
        reader.UInt16("direction and length"); // FrameLength has judged it
        Sl651Packet? packet = null;
        if (reader.Byte("start of text") == SynByte)
        {
            var at = reader.Position;
            var t = reader.Bytes(3, "packet header");
            var packetTotal = (t[0] << 4) | (t[1] >> 4);
            var index = ((t[1] & 0x0F) << 8) | t[2];
            if (packetTotal == 0 || index == 0 || index > packetTotal)
            {
                throw new Sl651FrameException(Sl651FrameError.BadLength, at, $"packet {index} of {packetTotal} is impossible");
            }

            packet = new Sl651Packet(packetTotal, index);
        }

        var endAt = total - 3;
        var end = (Sl651EndByte)bytes[endAt];
        var endOk = direction == Sl651Direction.Up ? Sl651Frame.IsUplinkEnd(end) : Sl651Frame.IsDownlinkEnd(end);
        if (!endOk)
        {
            throw new Sl651FrameException(Sl651FrameError.BadEndByte, endAt,
                $"end byte {bytes[endAt]:X2} is not one of {(direction == Sl651Direction.Up ? "03 ETX, 17 ETB (uplink)" : "04 EOT, 05 ENQ, 06 ACK, 15 NAK, 1B ESC (downlink)")}");
        }

        var received = (ushort)((bytes[total - 2] << 8) | bytes[total - 1]);
        var computed = Sl651Crc16.Compute(bytes[..(total - 2)]);
        if (requireCrc && received != computed)
        {
            throw new Sl651FrameException(Sl651FrameError.BadCrc, total - 2, $"CRC {received:X4} does not match the frame's {computed:X4}");
        }


        var body = new FrameReader(bytes[..endAt], reader.Position);
        var serial = body.UInt16("serial number");
        var sendTime = ReadTime(ref body, 6, "send time");
        Sl651ReportHeader? report = null;
        IReadOnlyList<Sl651Element> elements = [];
        var content = ReadOnlyMemory<byte>.Empty;
        var continuation = packet is { Index: > 1 };
        if (direction == Sl651Direction.Up && !continuation && body.Peek(2) is [0xF1, 0xF1])
        {
            report = ReadReportHeader(ref body);
            elements = ReadElements(ref body);
        }
        else
        {
            content = body.Bytes(body.Remaining, "content").ToArray();
        }

        var frame = new Sl651Frame
        {
            Direction = direction,
            Centre = centre,
            Station = station,
            Password = password,
            Function = function,
            Packet = packet,
            Serial = serial,
            SendTime = sendTime,
            Report = report,
            Elements = elements,
            Content = content,
            End = end,
        };
        return new Sl651Decoded(frame, received, computed, total);
    }

    /// <summary>
    /// From the first bytes of a stream, the whole frame's length, or -1 while the header is not complete yet.
    /// Throws as soon as the header cannot start a frame (start bytes, direction, start of text, length), so a
    /// reader resynchronises without waiting for bytes that may never come.
    /// </summary>
    public static int FrameLength(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length >= 1 && bytes[0] != StartByte)
        {
            throw new Sl651FrameException(Sl651FrameError.BadStart, 0, $"a frame starts 7E 7E, not {bytes[0]:X2}");
        }

        if (bytes.Length >= 2 && bytes[1] != StartByte)
        {
            throw new Sl651FrameException(Sl651FrameError.BadStart, 1, $"a frame starts 7E 7E, not 7E {bytes[1]:X2}");
        }

        if (bytes.Length >= 12 && (bytes[11] >> 4) is not (0x0 or 0x8))
        {
            throw new Sl651FrameException(Sl651FrameError.BadDirection, 11, $"direction {bytes[11] >> 4:X} is neither 0 (up) nor 8 (down)");
        }

        if (bytes.Length < HeaderLength)
        {
            return -1;
        }

        var bodyLength = ((bytes[11] & 0x0F) << 8) | bytes[12];
        if (bodyLength < MinBodyLength)
        {
            throw new Sl651FrameException(Sl651FrameError.BadLength, 11,
                $"body length {bodyLength} is less than the {MinBodyLength} bytes of serial number and send time");
        }

        var packetHeader = bytes[13] switch
        {
            StxByte => 0,
            SynByte => 3,
            _ => throw new Sl651FrameException(Sl651FrameError.BadStartOfText, 13, $"start of text {bytes[13]:X2} is neither 02 STX nor 16 SYN"),
        };
        return HeaderLength + packetHeader + bodyLength + 3;
    }

    internal const byte StartByte = 0x7E;
    internal const byte StxByte = 0x02;
    internal const byte SynByte = 0x16;
    internal const byte StationHeader = 0xF1;
    internal const byte TimeHeader = 0xF0;
    internal const byte UserIdLead = 0xFF;

    private static Sl651ReportHeader ReadReportHeader(ref FrameReader body)
    {
        body.Bytes(2, "station header");
        var station = Convert.ToHexString(Need(ref body, 5, "report station address"));
        var type = (Sl651StationType)Need(ref body, 1, "station type")[0];
        DateTime? observed = null;
        if (!body.AtEnd)
        {
            var at = body.Position;
            if (body.Peek(2) is not [TimeHeader, TimeHeader])
            {
                throw new Sl651FrameException(Sl651FrameError.BadReportHeader, at, "the station header is not followed by F0 F0 and an observation time");
            }

            body.Bytes(2, "observation time header");
            if (body.Remaining < 5)
            {
                throw new Sl651FrameException(Sl651FrameError.BadReportHeader, body.Position, "the observation time needs 5 bytes");
            }

            observed = ReadTime(ref body, 5, "observation time");
        }

        return new Sl651ReportHeader(station, type, observed);
    }

    private static ReadOnlySpan<byte> Need(ref FrameReader body, int count, string what)
    {
        if (body.Remaining < count)
        {
            throw new Sl651FrameException(Sl651FrameError.BadReportHeader, body.Position, $"{what} needs {count} byte(s), {body.Remaining} left in the body");
        }

        return body.Bytes(count, what);
    }

    private static List<Sl651Element> ReadElements(ref FrameReader body)
    {
        var elements = new List<Sl651Element>();
        while (!body.AtEnd)
        {
            var at = body.Position;
            ushort id = body.Byte("element identifier");
            if (id == UserIdLead)
            {
                id = (ushort)(0xFF00 | ElementByte(ref body, "user identifier"));
            }
            else if (id is StationHeader or TimeHeader)
            {
                throw new Sl651FrameException(Sl651FrameError.BadElement, at, $"identifier {id:X2} here would start a second header group; one group is supported");
            }

            var definitionAt = body.Position;
            var definition = ElementByte(ref body, $"definition byte of element {Sl651Element.FormatId(id)}");
            var length = definition >> 3;
            if (length == 0)
            {
                throw new Sl651FrameException(Sl651FrameError.BadElement, definitionAt, $"element {Sl651Element.FormatId(id)}: definition byte {definition:X2} gives a 0-byte value");
            }

            if (body.Remaining < length)
            {
                throw new Sl651FrameException(Sl651FrameError.BadElement, body.Position,
                    $"element {Sl651Element.FormatId(id)}: the definition byte {definition:X2} asks for {length} value bytes, {body.Remaining} left in the body");
            }

            var valueAt = body.Position;
            var value = body.Bytes(length, "element value");
            elements.Add(ReadValue(id, definition, value, valueAt));
        }

        return elements;
    }

    private static byte ElementByte(ref FrameReader body, string what)
    {
        if (body.AtEnd)
        {
            throw new Sl651FrameException(Sl651FrameError.BadElement, body.Position, $"the body ends before the {what}");
        }

        return body.Byte(what);
    }

    private static Sl651Element ReadValue(ushort id, byte definition, ReadOnlySpan<byte> value, int at)
    {
        var name = Sl651Element.FormatId(id);
        if (Sl651Elements.IsBinary(id))
        {
            return Sl651Element.FromWire(id, definition, Sl651ValueKind.Binary, 0m, value.ToArray());
        }

        if (value.IndexOfAnyExcept(Bcd.NoDataByte) < 0)
        {
            return Sl651Element.FromWire(id, definition, Sl651ValueKind.NoData, 0m, []);
        }

        if (value.Length > Bcd.MaxNumberBytes)
        {
            throw new Sl651FrameException(Sl651FrameError.BadElement, at, $"element {name}: a {value.Length}-byte number is longer than the {Bcd.MaxNumberBytes} bytes supported");
        }

        var negative = value[0] == Bcd.NegativeMark;
        var digits = negative ? value[1..] : value;
        if (!Bcd.TryMagnitude(digits, out var magnitude, out var bad))
        {
            var offset = at + bad + (negative ? 1 : 0);
            throw new Sl651FrameException(Sl651FrameError.InvalidBcd, offset, $"element {name}: value byte {digits[bad]:X2} is not BCD");
        }

        if (negative && magnitude == 0)
        {
            throw new Sl651FrameException(Sl651FrameError.BadElement, at, $"element {name}: FF followed by zero is a negative zero");
        }

        return Sl651Element.FromWire(id, definition, Sl651ValueKind.Number, Bcd.ToDecimal(magnitude, negative, definition & 0x07), []);
    }

    /// <summary>YYMMDDhhmm[ss] in BCD, years 2000-2099.</summary>
    private static DateTime ReadTime(ref FrameReader reader, int length, string what)
    {
        var at = reader.Position;
        var bytes = reader.Bytes(length, what);
        Span<int> parts = stackalloc int[6];
        for (var i = 0; i < length; i++)
        {
            if (!Bcd.TryByte(bytes[i], out parts[i]))
            {
                throw new Sl651FrameException(Sl651FrameError.InvalidBcd, at + i, $"{what}: byte {bytes[i]:X2} is not BCD");
            }
        }

        var (year, month, day, hour, minute, second) = (2000 + parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]);
        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            throw new Sl651FrameException(Sl651FrameError.BadTime, at,
                $"{what} {Convert.ToHexString(bytes)} is not a date and time (YYMMDDhhmm{(length == 6 ? "ss" : "")})");
        }

        return new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified);
    }
}
