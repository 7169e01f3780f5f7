using System.Globalization;
using System.Text;
using System.Text.Json;
using EdgeGateway.Sl651;

namespace EdgeGateway.Cli;

/// <summary>How <c>sl651 decode</c> shows a frame: a table with each field's bytes, or the contract's JSON.</summary>
internal static class Sl651FrameText
{
    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;

    public static string Table(Sl651Decoded decoded)
    {
        var f = decoded.Frame;
        var up = f.Direction == Sl651Direction.Up;
        var text = new StringBuilder();
        var at = 0;
        void Row(int length, string field, string value)
        {
            var bytes = length == 1 ? at.ToString(s_inv) : $"{at}-{at + length - 1}";
            text.Append(s_inv, $"{bytes,-7} {field,-18} {value}").Append('\n');
            at += length;
        }

        Row(2, "start", "7E7E");
        if (up)
        {
            Row(1, "centre", f.Centre.ToString(s_inv));
            Row(5, "station", f.Station);
        }
        else
        {
            Row(5, "station", f.Station);
            Row(1, "centre", f.Centre.ToString(s_inv));
        }

        Row(2, "password", f.PasswordText);
        Row(1, "function", $"{Hex(f.Function)} {FunctionName(f.Function)}");
        var bodyLength = decoded.Length - Sl651Decoder.HeaderLength - 3 - (f.Packet is null ? 0 : 3);
        Row(2, "direction, length", $"{(up ? "up" : "down")}, {bodyLength} bytes");
        Row(1, "start of text", f.Packet is null ? "02 STX" : "16 SYN");
        if (f.Packet is { } packet)
        {
            Row(3, "packet", $"{packet.Index} of {packet.Total}");
        }

        Row(2, "serial", f.Serial.ToString(s_inv));
        Row(6, "send time", f.SendTime.ToString("yyyy-MM-dd HH:mm:ss", s_inv));
        if (f.Report is { } report)
        {
            Row(8, "station header", $"{report.Station}, type {(byte)report.StationType:X2} {StationTypeText(report.StationType)}");
            if (report.ObservationTime is { } observed)
            {
                Row(7, "observation time", observed.ToString("yyyy-MM-dd HH:mm", s_inv));
            }

            foreach (var element in f.Elements)
            {
                var info = Sl651Elements.Find(element.Id);
                Row((element.Id > 0xFF ? 2 : 1) + 1 + element.Length, $"element {element.IdText}", $"{ElementValue(element)}  ({info?.Name ?? "not in our table"})");
            }
        }
        else if (!f.Content.IsEmpty)
        {
            Row(f.Content.Length, "content", Convert.ToHexString(f.Content.Span));
        }

        Row(1, "end", $"{Hex(f.End)} {EndName(f.End)}");
        Row(2, "crc", decoded.CrcOk ? $"{decoded.ReceivedCrc:X4} ok" : $"{decoded.ReceivedCrc:X4} BAD (the bytes give {decoded.ComputedCrc:X4})");
        return text.ToString().TrimEnd('\n');
    }

    /// <summary>
    /// The same fields as <see cref="Table"/> on one line, for a log of many frames (<c>sim sl651-centre</c>):
    /// <c>32 timed report, station 0012345678, centre 2, password 04D2, serial 18, sent 2014-12-05 11:00:02, ...</c>.
    /// </summary>
    public static string Line(Sl651Decoded decoded)
    {
        var f = decoded.Frame;
        var parts = new List<string>
        {
            $"{Hex(f.Function)} {FunctionName(f.Function)}",
            f.Direction == Sl651Direction.Up ? "up" : "down",
            $"station {f.Station}",
            $"centre {f.Centre.ToString(s_inv)}",
            $"password {f.PasswordText}",
            $"serial {f.Serial.ToString(s_inv)}",
        };
        if (f.Packet is { } packet)
        {
            parts.Add($"packet {packet.Index.ToString(s_inv)} of {packet.Total.ToString(s_inv)}");
        }

        parts.Add($"sent {f.SendTime.ToString("yyyy-MM-dd HH:mm:ss", s_inv)}");
        if (f.Report is { } report)
        {
            parts.Add($"type {StationTypeText(report.StationType)}");
            if (report.Station != f.Station)
            {
                parts.Add($"report station {report.Station}");
            }

            if (report.ObservationTime is { } observed)
            {
                parts.Add($"observed {observed.ToString("yyyy-MM-dd HH:mm", s_inv)}");
            }

            parts.AddRange(f.Elements.Select(e => $"{e.IdText}={ElementValue(e)}"));
        }
        else if (!f.Content.IsEmpty)
        {
            parts.Add($"content {Convert.ToHexString(f.Content.Span)}");
        }

        parts.Add($"end {Hex(f.End)} {EndName(f.End)}");
        parts.Add(decoded.CrcOk ? $"crc {decoded.ReceivedCrc:X4} ok" : $"crc {decoded.ReceivedCrc:X4} BAD (the bytes give {decoded.ComputedCrc:X4})");
        return string.Join(", ", parts);
    }

    public static string Json(Sl651Decoded decoded)
    {
        var f = decoded.Frame;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("function", Hex(f.Function));
            json.WriteString("direction", f.Direction == Sl651Direction.Up ? "up" : "down");
            json.WriteNumber("centre", f.Centre);
            json.WriteString("station", f.Station);
            json.WriteString("password", f.PasswordText);
            json.WriteNumber("serial", f.Serial);
            if (f.Packet is { } packet)
            {
                json.WriteStartObject("packet");
                json.WriteNumber("total", packet.Total);
                json.WriteNumber("index", packet.Index);
                json.WriteEndObject();
            }

            json.WriteString("sendTime", f.SendTime.ToString("yyyy-MM-ddTHH:mm:ss", s_inv));
            if (f.Report is { } report)
            {
                if (report.Station != f.Station)
                {
                    json.WriteString("reportStation", report.Station);
                }

                json.WriteString("stationType", StationTypeLetter(report.StationType));
                if (report.ObservationTime is { } observed)
                {
                    json.WriteString("observationTime", observed.ToString("yyyy-MM-ddTHH:mm", s_inv));
                }

                json.WriteStartArray("elements");
                foreach (var element in f.Elements)
                {
                    WriteElement(json, element);
                }

                json.WriteEndArray();
            }
            else if (!f.Content.IsEmpty)
            {
                json.WriteString("content", Convert.ToHexString(f.Content.Span));
            }

            json.WriteString("end", Hex(f.End));
            json.WriteBoolean("crcOk", decoded.CrcOk);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteElement(Utf8JsonWriter json, Sl651Element element)
    {
        json.WriteStartObject();
        json.WriteString("id", element.IdText);
        switch (element.Kind)
        {
            case Sl651ValueKind.Number:
                json.WriteNumber("value", element.Value!.Value);
                break;
            case Sl651ValueKind.NoData:
                json.WriteNull("value");
                break;
            default:
                if (Scale(element.Id) is { } scale)
                {
                    json.WriteStartArray("values");
                    foreach (var sample in element.Samples())
                    {
                        if (sample is { } v)
                        {
                            json.WriteNumberValue(v * scale);
                        }
                        else
                        {
                            json.WriteNullValue();
                        }
                    }

                    json.WriteEndArray();
                }
                else
                {
                    json.WriteString("hex", Convert.ToHexString(element.Binary.Span));
                }

                break;
        }

        json.WriteEndObject();
    }

    private static string ElementValue(Sl651Element element) => element.Kind switch
    {
        Sl651ValueKind.Number => $"{element.Value!.Value.ToString(s_inv)} {Sl651Elements.Find(element.Id)?.Unit}".TrimEnd(),
        Sl651ValueKind.NoData => "no data",
        _ when Scale(element.Id) is { } scale => string.Join(' ', element.Samples().Select(s => s is { } v ? (v * scale).ToString(s_inv) : "-")) + (element.Id == Sl651Elements.FiveMinuteLevels ? " m" : " mm"),
        _ => Convert.ToHexString(element.Binary.Span),
    };

    /// <summary>F4 samples are 0.1 mm, F5 samples 0.01 m; other binary elements are shown as bytes.</summary>
    private static decimal? Scale(ushort id) => id switch
    {
        Sl651Elements.FiveMinuteRainfalls => 0.1m,
        Sl651Elements.FiveMinuteLevels => 0.01m,
        _ => null,
    };

    private static string Hex<T>(T code)
        where T : struct, Enum => Convert.ToByte(code, s_inv).ToString("X2", s_inv);

    private static string StationTypeLetter(Sl651StationType type) =>
        Enum.IsDefined(type) ? ((char)(byte)type).ToString() : Hex(type);

    private static string StationTypeText(Sl651StationType type) => type switch
    {
        Sl651StationType.Rain => "P (rain)",
        Sl651StationType.River => "H (river)",
        Sl651StationType.Reservoir => "K (reservoir)",
        Sl651StationType.Sluice => "Z (sluice)",
        Sl651StationType.Pump => "D (pump)",
        Sl651StationType.Tide => "T (tide)",
        Sl651StationType.SoilMoisture => "M (soil moisture)",
        Sl651StationType.GroundWater => "G (ground water)",
        Sl651StationType.WaterQuality => "Q (water quality)",
        Sl651StationType.Intake => "I (intake)",
        Sl651StationType.Discharge => "O (discharge)",
        _ => "(unknown type)",
    };

    private static string FunctionName(Sl651Function function) => function switch
    {
        Sl651Function.LinkKeepAlive => "link keep-alive",
        Sl651Function.Test => "test report",
        Sl651Function.UniformInterval => "uniform-interval report",
        Sl651Function.Timed => "timed report",
        Sl651Function.Add => "add report",
        Sl651Function.Hourly => "hourly report",
        Sl651Function.Manual => "manual report",
        Sl651Function.QueryRealTime => "query of real-time data",
        Sl651Function.QueryElement => "query of an element",
        _ => "(function not in our table)",
    };

    private static string EndName(Sl651EndByte end) => end switch
    {
        Sl651EndByte.Etx => "ETX (last packet)",
        Sl651EndByte.Etb => "ETB (more packets follow)",
        Sl651EndByte.Enq => "ENQ (query)",
        Sl651EndByte.Ack => "ACK (confirmed, go on)",
        Sl651EndByte.Nak => "NAK (not confirmed, send again)",
        Sl651EndByte.Eot => "EOT (end of link)",
        Sl651EndByte.Esc => "ESC (confirmed, stay online)",
        _ => "",
    };
}
