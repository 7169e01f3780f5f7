using System.Globalization;
using EdgeGateway.Sl651.Internal;

namespace EdgeGateway.Sl651;

/// <summary>
/// Encodes frames in the HEX/BCD encoding (layout at <see cref="Sl651Decoder"/>): the length field is
/// filled in after the body, the CRC goes high byte first. A field that cannot be encoded throws
/// <see cref="Sl651FrameException"/> with <see cref="Sl651FrameError.ValueOutOfRange"/>.
/// </summary>
public static class Sl651Encoder
{
    /// <summary>The length field has 12 bits.</summary>
    public const int MaxBodyLength = 0x0FFF;

    public static byte[] Encode(Sl651Frame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var station = Address(frame.Station, "station address");
        var w = new FrameWriter();
        w.Byte(Sl651Decoder.StartByte);
        w.Byte(Sl651Decoder.StartByte);
        if (frame.Direction == Sl651Direction.Up)
        {
            w.Byte(frame.Centre);
            w.Bytes(station);
        }
        else
        {
            w.Bytes(station);
            w.Byte(frame.Centre);
        }

        w.UInt16(frame.Password);
        w.Byte((byte)frame.Function);
        var lengthAt = w.Length;
        w.UInt16(0);
        if (frame.Packet is { } packet)
        {
            if (packet.Total is < 1 or > 0xFFF || packet.Index < 1 || packet.Index > packet.Total)
            {
                throw Range($"packet {packet.Index} of {packet.Total} is impossible");
            }

            w.Byte(Sl651Decoder.SynByte);
            w.Byte((byte)(packet.Total >> 4));
            w.Byte((byte)(((packet.Total & 0x0F) << 4) | (packet.Index >> 8)));
            w.Byte((byte)packet.Index);
        }
        else
        {
            w.Byte(Sl651Decoder.StxByte);
        }

        var bodyAt = w.Length;
        w.UInt16(frame.Serial);
        WriteTime(w, frame.SendTime, seconds: true, "send time");
        if (frame.Report is { } report)
        {
            if (!frame.Content.IsEmpty)
            {
                throw Range("a report carries elements, not raw content");
            }

            w.Byte(Sl651Decoder.StationHeader);
            w.Byte(Sl651Decoder.StationHeader);
            w.Bytes(Address(report.Station, "report station address"));
            w.Byte((byte)report.StationType);
            if (report.ObservationTime is { } observed)
            {
                w.Byte(Sl651Decoder.TimeHeader);
                w.Byte(Sl651Decoder.TimeHeader);
                WriteTime(w, observed, seconds: false, "observation time");
            }

            foreach (var element in frame.Elements)
            {
                WriteElement(w, element);
            }
        }
        else if (frame.Elements.Count > 0)
        {
            throw Range("elements need a report header");
        }
        else
        {
            w.Bytes(frame.Content.Span);
        }

        var bodyLength = w.Length - bodyAt;
        if (bodyLength > MaxBodyLength)
        {
            throw Range($"the body has {bodyLength} bytes; the length field holds at most {MaxBodyLength}");
        }

        var endOk = frame.Direction == Sl651Direction.Up ? Sl651Frame.IsUplinkEnd(frame.End) : Sl651Frame.IsDownlinkEnd(frame.End);
        if (!endOk)
        {
            throw Range($"end byte {(byte)frame.End:X2} does not go {frame.Direction.ToString().ToLowerInvariant()}");
        }

        w.PatchUInt16(lengthAt, (ushort)((frame.Direction == Sl651Direction.Down ? 0x8000 : 0) | bodyLength));
        w.Byte((byte)frame.End);
        w.UInt16(Sl651Crc16.Compute(w.Written));
        return w.ToArray();
    }

    private static void WriteElement(FrameWriter w, Sl651Element element)
    {
        if (element.IsTwoByteId)
        {
            w.Byte(Sl651Decoder.UserIdLead);
            w.Byte((byte)element.Id);
        }
        else
        {
            w.Byte((byte)element.Id);
        }

        w.Byte(element.Definition);
        var value = w.Reserve(element.Length);
        switch (element.Kind)
        {
            case Sl651ValueKind.Binary:
                element.Binary.Span.CopyTo(value);
                break;
            case Sl651ValueKind.NoData:
                value.Fill(Bcd.NoDataByte);
                break;
            default:
                // Checked when the element was made: the value fits its length and decimals.
                Bcd.TryScale(element.NumberValue, element.Decimals, out var magnitude);
                if (element.NumberValue < 0)
                {
                    value[0] = Bcd.NegativeMark;
                    Bcd.WriteMagnitude(value[1..], magnitude);
                }
                else
                {
                    Bcd.WriteMagnitude(value, magnitude);
                }

                break;
        }
    }

    /// <summary>10 hex digits to 5 bytes.</summary>
    private static byte[] Address(string text, string what)
    {
        if (text is not { Length: 10 } || !text.All(char.IsAsciiHexDigit))
        {
            throw Range($"{what} '{text}' is not 10 digits");
        }

        return Convert.FromHexString(text);
    }

    private static void WriteTime(FrameWriter w, DateTime time, bool seconds, string what)
    {
        if (time.Year is < 2000 or > 2099)
        {
            throw Range($"{what} {time.ToString("s", CultureInfo.InvariantCulture)} is outside 2000-2099");
        }

        w.Byte(Bcd.Byte(time.Year - 2000));
        w.Byte(Bcd.Byte(time.Month));
        w.Byte(Bcd.Byte(time.Day));
        w.Byte(Bcd.Byte(time.Hour));
        w.Byte(Bcd.Byte(time.Minute));
        if (seconds)
        {
            w.Byte(Bcd.Byte(time.Second));
        }
    }

    private static Sl651FrameException Range(string detail) => new(Sl651FrameError.ValueOutOfRange, -1, detail);
}
