namespace EdgeGateway.Sl651.Tests;

/// <summary>The public sample of the standard's timed report and its confirmation, byte for byte.</summary>
public sealed class GoldenVectorTests
{
    internal const string SampleReport =
        "7E7E020012345678" + "04D232002B020012141205110002F1F1001234567848F0F01412051100" +
        "201900010026190001003923000144203812122003" + "9FE1";

    internal const string SampleConfirmation = "7E7E001234567802" + "04D2328008020012141205110002" + "1B" + "BD6C";

    [Fact]
    public void Decode_PublicSampleReport_GivesTheDocumentedValues()
    {
        var frame = Sl651Decoder.Decode(Convert.FromHexString(SampleReport));

        Assert.Equal(Sl651Direction.Up, frame.Direction);
        Assert.Equal(2, frame.Centre);
        Assert.Equal("0012345678", frame.Station);
        Assert.Equal("04D2", frame.PasswordText);
        Assert.Equal(Sl651Function.Timed, frame.Function);
        Assert.Null(frame.Packet);
        Assert.Equal(0x0012, frame.Serial);
        Assert.Equal(new DateTime(2014, 12, 5, 11, 0, 2), frame.SendTime);
        Assert.Equal(new Sl651ReportHeader("0012345678", Sl651StationType.River, new DateTime(2014, 12, 5, 11, 0, 0)), frame.Report);
        Assert.Equal(["20=10.0", "26=10.0", "39=14.420", "38=12.20"], frame.Elements.Select(e => e.ToString()));
        Assert.Equal(Sl651EndByte.Etx, frame.End);
        Assert.True(frame.Content.IsEmpty);
    }

    [Fact]
    public void Encode_PublicSampleReport_ReproducesItByteForByte()
    {
        var frame = new Sl651Frame
        {
            Direction = Sl651Direction.Up,
            Centre = 2,
            Station = "0012345678",
            Password = 0x04D2,
            Function = Sl651Function.Timed,
            Serial = 0x12,
            SendTime = new DateTime(2014, 12, 5, 11, 0, 2),
            Report = new Sl651ReportHeader("0012345678", Sl651StationType.River, new DateTime(2014, 12, 5, 11, 0, 0)),
            Elements =
            [
                Sl651Element.Number(Sl651Elements.CurrentRainfall, 10m),
                Sl651Element.Number(Sl651Elements.AccumulatedRainfall, 10m),
                Sl651Element.Number(Sl651Elements.RiverLevel, 14.42m),
                Sl651Element.Number(Sl651Elements.SupplyVoltage, 12.2m),
            ],
            End = Sl651EndByte.Etx,
        };

        Assert.Equal(SampleReport, Convert.ToHexString(Sl651Encoder.Encode(frame)));
    }

    [Fact]
    public void Decode_PublicSampleConfirmation_IsTheDownlinkOfTheSameSerial()
    {
        var frame = Sl651Decoder.Decode(Convert.FromHexString(SampleConfirmation));

        Assert.Equal(Sl651Direction.Down, frame.Direction);
        Assert.Equal(2, frame.Centre);
        Assert.Equal("0012345678", frame.Station);
        Assert.Equal(Sl651Function.Timed, frame.Function);
        Assert.Equal(0x0012, frame.Serial);
        Assert.Equal(new DateTime(2014, 12, 5, 11, 0, 2), frame.SendTime);
        Assert.Null(frame.Report);
        Assert.Empty(frame.Elements);
        Assert.True(frame.Content.IsEmpty);
        Assert.Equal(Sl651EndByte.Esc, frame.End);
        Assert.Equal(SampleConfirmation, Convert.ToHexString(Sl651Encoder.Encode(frame)));
    }

    [Fact]
    public void Crc_PublicSamples_MatchTheBitwiseReference()
    {
        foreach (var hex in new[] { SampleReport, SampleConfirmation })
        {
            var bytes = Convert.FromHexString(hex);
            var crc = Sl651Crc16.Compute(bytes.AsSpan(0, bytes.Length - 2));
            Assert.Equal(ReferenceFrame.Crc(bytes[..^2]), crc);
            Assert.Equal((ushort)((bytes[^2] << 8) | bytes[^1]), crc); // high byte first on the wire
        }
    }
}
