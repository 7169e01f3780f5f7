using static EdgeGateway.Sl651.Tests.ReferenceFrame;

namespace EdgeGateway.Sl651.Tests;

/// <summary>
/// Vectors of our own, each written twice: once as bytes by <see cref="ReferenceFrame"/> (hex text, digit strings,
/// a bitwise CRC) and once as a frame model. Our encoder must produce the reference bytes, and our decoder must
/// read the reference bytes back into the model.
/// </summary>
public sealed class OwnVectorTests
{
    private static readonly DateTime s_sent = new(2026, 6, 30, 8, 5, 9);
    private static readonly DateTime s_observed = new(2026, 6, 30, 8, 5, 0);

    public static TheoryData<string> Names => [.. Vectors().Select(v => v.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public void Encode_Vector_EqualsTheReferenceBytes(string name)
    {
        var (_, reference, frame) = Vectors().Single(v => v.Name == name);
        Assert.Equal(Convert.ToHexString(reference), Convert.ToHexString(Sl651Encoder.Encode(frame)));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Decode_Vector_GivesTheModel(string name)
    {
        var (_, reference, expected) = Vectors().Single(v => v.Name == name);
        var frame = Sl651Decoder.Decode(reference);

        Assert.Equal(expected.Direction, frame.Direction);
        Assert.Equal(expected.Centre, frame.Centre);
        Assert.Equal(expected.Station, frame.Station);
        Assert.Equal(expected.Password, frame.Password);
        Assert.Equal(expected.Function, frame.Function);
        Assert.Equal(expected.Packet, frame.Packet);
        Assert.Equal(expected.Serial, frame.Serial);
        Assert.Equal(expected.SendTime, frame.SendTime);
        Assert.Equal(expected.Report, frame.Report);
        Assert.Equal(expected.Elements, frame.Elements);
        Assert.Equal(Convert.ToHexString(expected.Content.Span), Convert.ToHexString(frame.Content.Span));
        Assert.Equal(expected.End, frame.End);
    }

    [Fact]
    public void Vectors_AreMoreThanTen() => Assert.True(Vectors().Count() > 10);

    internal static IEnumerable<(string Name, byte[] Reference, Sl651Frame Frame)> Vectors()
    {
        var sent = Time(s_sent, seconds: true);
        var observed = Time(s_observed, seconds: false);

        yield return ("keep-alive",
            Build(true, "01", "0087654321", "1234", "2F", "0001" + sent, "03"),
            Up(0x01, "0087654321", 0x1234, Sl651Function.LinkKeepAlive, 1, null, []));

        // 7E inside the password and the serial: framing goes by the length field, not by looking for 7E 7E.
        yield return ("7E in serial and password",
            Build(true, "7E", "7E12345678", "7E7E", "2F", "7E7E" + sent, "03"),
            Up(0x7E, "7E12345678", 0x7E7E, Sl651Function.LinkKeepAlive, 0x7E7E, null, []));

        yield return ("add report of a rain station",
            Build(true, "05", "0000000001", "0000", "33",
                "0102" + sent + "F1F1" + "0000000001" + "50" + "F0F0" + observed
                + Element("1A", 3, 1, "12.5") + Element("26", 3, 1, "1234.5") + Element("1F", 3, 1, "0"), "03"),
            Up(0x05, "0000000001", 0, Sl651Function.Add, 0x0102, Report("0000000001", Sl651StationType.Rain),
                [Num(0x1A, 12.5m), Num(0x26, 1234.5m), Num(0x1F, 0m)]));

        yield return ("negative values",
            Build(true, "02", "0012345678", "04D2", "32",
                "0003" + sent + "F1F1" + "0012345678" + "48" + "F0F0" + observed
                + Element("39", 4, 3, "-1.25") + Element("38", 2, 2, "-0.07"), "03"),
            Up(0x02, "0012345678", 0x04D2, Sl651Function.Timed, 3, Report("0012345678", Sl651StationType.River),
                [Num(0x39, -1.25m), Num(0x38, -0.07m)]));

        yield return ("no data",
            Build(true, "02", "0012345678", "04D2", "32",
                "0004" + sent + "F1F1" + "0012345678" + "48" + "F0F0" + observed + "3923AAAAAAAA" + "2619AAAAAA", "03"),
            Up(0x02, "0012345678", 0x04D2, Sl651Function.Timed, 4, Report("0012345678", Sl651StationType.River),
                [Sl651Element.NoData(0x39), Sl651Element.NoData(0x26)]));

        yield return ("user identifiers",
            Build(true, "02", "0012345678", "04D2", "35",
                "0005" + sent + "F1F1" + "0012345678" + "4B" + "F0F0" + observed
                + "FF0E" + "11" + "0035" + "FFA1" + "18" + "000123", "03"),
            Up(0x02, "0012345678", 0x04D2, Sl651Function.Manual, 5, Report("0012345678", Sl651StationType.Reservoir),
                [Sl651Element.Number(0xFF0E, 0x11, 3.5m), Sl651Element.Number(0xFFA1, 0x18, 123m)]));

        var rain5 = new byte[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0xFF };
        var level5 = new byte[] { 0, 1, 0, 2, 0x7E, 0x7E, 1, 0, 0, 0, 0, 5, 0, 6, 0, 7, 0, 8, 0, 9, 0, 10, 0xFF, 0xFF };
        yield return ("hourly report with F4 and F5 blocks",
            Build(true, "02", "0012345678", "04D2", "34",
                "0006" + sent + "F1F1" + "0012345678" + "48" + "F0F0" + observed
                + "F460" + Convert.ToHexString(rain5) + "F5C0" + Convert.ToHexString(level5), "03"),
            Up(0x02, "0012345678", 0x04D2, Sl651Function.Hourly, 6, Report("0012345678", Sl651StationType.River),
                [Sl651Element.BinaryBlock(0xF4, rain5), Sl651Element.BinaryBlock(0xF5, level5)]));

        yield return ("first of three packets",
            Build(true, "02", "0012345678", "04D2", "32",
                "0007" + sent + "F1F1" + "0012345678" + "48" + "F0F0" + observed + Element("39", 4, 3, "2.5"), "17", packet: "003001"),
            Copy(Up(0x02, "0012345678", 0x04D2, Sl651Function.Timed, 7, Report("0012345678", Sl651StationType.River),
                [Num(0x39, 2.5m)]), packet: new Sl651Packet(3, 1), end: Sl651EndByte.Etb));

        yield return ("second of three packets: content kept as bytes",
            Build(true, "02", "0012345678", "04D2", "32", "0007" + sent + "2619000100", "17", packet: "003002"),
            Raw(Up(0x02, "0012345678", 0x04D2, Sl651Function.Timed, 7, null, []), Convert.FromHexString("2619000100"), new Sl651Packet(3, 2), Sl651EndByte.Etb));

        yield return ("NAK of an add report",
            Build(false, "02", "0012345678", "04D2", "33", "0102" + sent, "15"),
            Down(Sl651Function.Add, 0x0102, Sl651EndByte.Nak));

        yield return ("end of link after a keep-alive",
            Build(false, "FF", "0012345678", "FFFF", "2F", "FFFF" + sent, "04"),
            Copy(Down(Sl651Function.LinkKeepAlive, 0xFFFF, Sl651EndByte.Eot), centre: 0xFF, password: 0xFFFF));

        yield return ("query of real-time data (ENQ)",
            Build(false, "02", "0012345678", "04D2", "37", "0009" + sent, "05"),
            Down(Sl651Function.QueryRealTime, 9, Sl651EndByte.Enq));

        yield return ("unknown identifier and the largest values",
            Build(true, "02", "9999999999", "04D2", "32",
                "000A" + Time(new DateTime(2099, 12, 31, 23, 59, 59), true) + "F1F1" + "9999999999" + "5A" + "F0F0" + observed
                + Element("0C", 5, 2, "12345678.90") + Element("26", 3, 1, "99999.9") + Element("39", 4, 3, "-999.999"), "03"),
            Copy(Up(0x02, "9999999999", 0x04D2, Sl651Function.Timed, 0x0A, Report("9999999999", Sl651StationType.Sluice),
                [Sl651Element.Number(0x0C, 0x2A, 12345678.9m), Num(0x26, 99999.9m), Num(0x39, -999.999m)]), sent: new DateTime(2099, 12, 31, 23, 59, 59)));

        yield return ("report without an observation time",
            Build(true, "02", "0012345678", "04D2", "30", "000B" + sent + "F1F1" + "0012345678" + "4D", "03"),
            Up(0x02, "0012345678", 0x04D2, Sl651Function.Test, 0x0B, new Sl651ReportHeader("0012345678", Sl651StationType.SoilMoisture, null), []));
    }

    private static Sl651Element Num(ushort id, decimal value) => Sl651Element.Number(id, value);

    private static Sl651ReportHeader Report(string station, Sl651StationType type) => new(station, type, s_observed);

    private static Sl651Frame Up(byte centre, string station, ushort password, Sl651Function function, ushort serial, Sl651ReportHeader? report, Sl651Element[] elements) =>
        new()
        {
            Direction = Sl651Direction.Up,
            Centre = centre,
            Station = station,
            Password = password,
            Function = function,
            Serial = serial,
            SendTime = s_sent,
            Report = report,
            Elements = elements,
            End = Sl651EndByte.Etx,
        };

    private static Sl651Frame Down(Sl651Function function, ushort serial, Sl651EndByte end) =>
        new()
        {
            Direction = Sl651Direction.Down,
            Centre = 2,
            Station = "0012345678",
            Password = 0x04D2,
            Function = function,
            Serial = serial,
            SendTime = s_sent,
            End = end,
        };

    private static Sl651Frame Raw(Sl651Frame f, byte[] content, Sl651Packet packet, Sl651EndByte end) =>
        Copy(f, packet: packet, end: end, content: content);

    private static Sl651Frame Copy(Sl651Frame f, Sl651Packet? packet = null, Sl651EndByte? end = null, byte[]? content = null, byte? centre = null, ushort? password = null, DateTime? sent = null) =>
        new()
        {
            Direction = f.Direction,
            Centre = centre ?? f.Centre,
            Station = f.Station,
            Password = password ?? f.Password,
            Function = f.Function,
            Packet = packet ?? f.Packet,
            Serial = f.Serial,
            SendTime = sent ?? f.SendTime,
            Report = f.Report,
            Elements = f.Elements,
            Content = content ?? f.Content,
            End = end ?? f.End,
        };
}
