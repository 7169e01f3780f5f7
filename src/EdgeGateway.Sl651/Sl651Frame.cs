namespace EdgeGateway.Sl651;

/// <summary>A multi-packet header (after <c>16</c> SYN): 12 bits packet total, 12 bits this packet's index (from 1).</summary>
public sealed record Sl651Packet(int Total, int Index);

/// <summary>
/// The station header of a report (<c>F1 F1</c> + station address + type code) and its observation time
/// (<c>F0 F0</c> + YYMMDDhhmm), absent when the report carries no time.
/// </summary>
public sealed record Sl651ReportHeader(string Station, Sl651StationType StationType, DateTime? ObservationTime);

/// <summary>
/// One SL 651-2014 HEX/BCD frame, up or down. Times are the station's local time as on the wire (no zone).
/// A report (uplink content starting <c>F1 F1</c>) has <see cref="Report"/> and <see cref="Elements"/>; any other
/// content is kept as bytes in <see cref="Content"/>, so every frame that decodes encodes back to the same bytes.
/// </summary>
public sealed class Sl651Frame
{
    public required Sl651Direction Direction { get; init; }

    /// <summary>Centre station address, 1-255.</summary>
    public required byte Centre { get; init; }

    /// <summary>Remote station address: the 5 address bytes as 10 hex digits ("0012345678"; all digits for a BCD address).</summary>
    public required string Station { get; init; }

    public required ushort Password { get; init; }

    public required Sl651Function Function { get; init; }

    /// <summary>Set when the frame is one packet of several (start of text <c>16</c> SYN).</summary>
    public Sl651Packet? Packet { get; init; }

    /// <summary>1..65535, wrapping; a confirmation repeats the serial of the frame it confirms.</summary>
    public required ushort Serial { get; init; }

    /// <summary>Send time, to the second.</summary>
    public required DateTime SendTime { get; init; }

    public Sl651ReportHeader? Report { get; init; }

    public IReadOnlyList<Sl651Element> Elements { get; init; } = [];

    /// <summary>The content after serial and send time of a frame that is not a report (empty for keep-alive and confirmations).</summary>
    public ReadOnlyMemory<byte> Content { get; init; }

    public required Sl651EndByte End { get; init; }

    /// <summary>The password as the configuration and the JSON write it: 4 hex digits.</summary>
    public string PasswordText => Password.ToString("X4", System.Globalization.CultureInfo.InvariantCulture);

    public static bool IsUplinkEnd(Sl651EndByte end) => end is Sl651EndByte.Etx or Sl651EndByte.Etb;

    public static bool IsDownlinkEnd(Sl651EndByte end) =>
        end is Sl651EndByte.Eot or Sl651EndByte.Enq or Sl651EndByte.Ack or Sl651EndByte.Nak or Sl651EndByte.Esc;
}
