namespace EdgeGateway.Sl651.Tests;

public sealed class ElementTests
{
    [Fact]
    public void Number_MoreDecimalsThanTheStandard_RoundsHalfAwayFromZero()
    {
        Assert.Equal(14.421m, Sl651Element.Number(Sl651Elements.RiverLevel, 14.4205m).Value);
        Assert.Equal(-14.421m, Sl651Element.Number(Sl651Elements.RiverLevel, -14.4205m).Value);
        Assert.Equal("39=14.420", Sl651Element.Number(Sl651Elements.RiverLevel, 14.42m).ToString());
    }

    [Fact]
    public void Number_TooLargeForItsLength_IsValueOutOfRange()
    {
        var e = Assert.Throws<Sl651FrameException>(() => Sl651Element.Number(Sl651Elements.AccumulatedRainfall, 100000m));
        Assert.Equal(Sl651FrameError.ValueOutOfRange, e.Error);
        // A negative value gives a byte to FF: 2-byte voltage holds -0.99 at most (FF and one digit byte).
        Assert.Throws<Sl651FrameException>(() => Sl651Element.Number(Sl651Elements.SupplyVoltage, -1m));
        Assert.Equal(-0.99m, Sl651Element.Number(Sl651Elements.SupplyVoltage, -0.99m).Value);
    }

    [Fact]
    public void Number_RoundedToZero_IsPlainZero()
    {
        var element = Sl651Element.Number(Sl651Elements.RiverLevel, -0.0001m);
        Assert.Equal("39=0.000", element.ToString());
    }

    [Fact]
    public void Samples_F4AndF5_ScaleNothingAndMarkMissing()
    {
        var f4 = Sl651Element.BinaryBlock(Sl651Elements.FiveMinuteRainfalls, [1, 2, 0xFF]);
        Assert.Equal([1, 2, null], f4.Samples());
        var f5 = Sl651Element.BinaryBlock(Sl651Elements.FiveMinuteLevels, [0x01, 0x02, 0xFF, 0xFF]);
        Assert.Equal([0x0102, null], f5.Samples());
    }

    [Fact]
    public void Factories_IdentifiersWithoutAWireForm_AreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Sl651Element.Number(0xFF, 0x19, 1m));
        Assert.Throws<ArgumentOutOfRangeException>(() => Sl651Element.Number(0x1234, 0x19, 1m));
        Assert.Throws<ArgumentException>(() => Sl651Element.BinaryBlock(Sl651Elements.RiverLevel, [1, 2, 3, 4]));
        Assert.Throws<ArgumentException>(() => Sl651Element.Number(Sl651Elements.FiveMinuteRainfalls, 1m));
        Assert.Throws<ArgumentException>(() => Sl651Element.NoData(Sl651Elements.FiveMinuteLevels));
    }

    [Fact]
    public void Encode_UnknownFieldValues_AreValueOutOfRange()
    {
        var frame = new Sl651Frame
        {
            Direction = Sl651Direction.Up,
            Centre = 1,
            Station = "12345",
            Password = 0,
            Function = Sl651Function.LinkKeepAlive,
            Serial = 1,
            SendTime = new DateTime(2026, 1, 1),
            End = Sl651EndByte.Etx,
        };
        Assert.Equal(Sl651FrameError.ValueOutOfRange, Assert.Throws<Sl651FrameException>(() => Sl651Encoder.Encode(frame)).Error);
    }
}
