namespace EdgeGateway.Sl651.Tests;

/// <summary>Each way a frame can be wrong gives its own error code and the byte where it is.</summary>
public sealed class DecoderErrorTests
{
    private static byte[] Sample() => Convert.FromHexString(GoldenVectorTests.SampleReport);

    private static Sl651FrameException Reject(byte[] bytes) => Assert.Throws<Sl651FrameException>(() => Sl651Decoder.Decode(bytes));

    private static byte[] WithCrc(byte[] bytes)
    {
        var crc = ReferenceFrame.Crc(bytes[..^2]);
        bytes[^2] = (byte)(crc >> 8);
        bytes[^1] = (byte)crc;
        return bytes;
    }

    [Fact]
    public void Decode_WrongStart_IsBadStartAtThatByte()
    {
        var bytes = Sample();
        bytes[1] = 0x7F;
        var e = Reject(bytes);
        Assert.Equal((Sl651FrameError.BadStart, 1), (e.Error, e.Offset));
    }

    [Fact]
    public void Decode_CutShort_IsTruncated()
    {
        var e = Reject(Sample()[..40]);
        Assert.Equal(Sl651FrameError.Truncated, e.Error);
        Assert.Contains("60-byte frame", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_TwoFramesBackToBack_IsTrailingBytesAfterTheFirst()
    {
        var e = Reject([.. Sample(), .. Convert.FromHexString(GoldenVectorTests.SampleConfirmation)]);
        Assert.Equal((Sl651FrameError.TrailingBytes, 60), (e.Error, e.Offset));
    }

    [Fact]
    public void Decode_FlippedValueBit_IsBadCrcButInspectShowsTheFrame()
    {
        var bytes = Sample();
        bytes[50] ^= 0x01;
        var e = Reject(bytes);
        Assert.Equal((Sl651FrameError.BadCrc, 58), (e.Error, e.Offset));

        var decoded = Sl651Decoder.Inspect(bytes);
        Assert.False(decoded.CrcOk);
        Assert.Equal(0x9FE1, decoded.ReceivedCrc);
        Assert.Equal(4, decoded.Frame.Elements.Count);
    }

    [Fact]
    public void Decode_DirectionNibbleFour_IsBadDirection()
    {
        var bytes = Sample();
        bytes[11] = 0x40;
        Assert.Equal((Sl651FrameError.BadDirection, 11), (Reject(bytes).Error, Reject(bytes).Offset));
    }

    [Fact]
    public void Decode_UplinkEndingWithEsc_IsBadEndByte()
    {
        var bytes = Sample();
        bytes[^3] = 0x1B;
        var e = Reject(WithCrc(bytes));
        Assert.Equal((Sl651FrameError.BadEndByte, 57), (e.Error, e.Offset));
    }

    [Fact]
    public void Decode_NonBcdValue_IsInvalidBcdAtTheValueByte()
    {
        var bytes = Sample();
        bytes[50] = 0x4A; // second byte of 39's value
        var e = Reject(WithCrc(bytes));
        Assert.Equal((Sl651FrameError.InvalidBcd, 50), (e.Error, e.Offset));
    }

    [Fact]
    public void Decode_DefinitionLongerThanTheBody_IsBadElement()
    {
        var bytes = Sample();
        bytes[54] = 0x32; // 38's definition: 6 bytes where 2 remain
        var e = Reject(WithCrc(bytes));
        Assert.Equal(Sl651FrameError.BadElement, e.Error);
        Assert.Contains("asks for 6 value bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_ThirteenthMonth_IsBadTime()
    {
        var bytes = Sample();
        bytes[17] = 0x13; // send time month
        var e = Reject(WithCrc(bytes));
        Assert.Equal((Sl651FrameError.BadTime, 16), (e.Error, e.Offset));
    }

    [Fact]
    public void Decode_NegativeZero_IsBadElement()
    {
        var frame = ReferenceFrame.Build(true, "02", "0012345678", "04D2", "32",
            "0001" + "260630080509" + "F1F1" + "0012345678" + "48" + "F0F0" + "2606300805" + "3923FF000000", "03");
        Assert.Equal(Sl651FrameError.BadElement, Reject(frame).Error);
    }

    [Fact]
    public void Decode_DamagedBodyAndCrc_IsBadCrcBeforeTheBodyIsRead()
    {
        var bytes = Sample();
        bytes[50] = 0x4A; // not BCD, and the CRC left as it was
        Assert.Equal(Sl651FrameError.BadCrc, Reject(bytes).Error);
        var inspected = Assert.Throws<Sl651FrameException>(() => Sl651Decoder.Inspect(bytes));
        Assert.Equal((Sl651FrameError.InvalidBcd, 50), (inspected.Error, inspected.Offset));
    }

    [Fact]
    public void TryDecode_Garbage_ReturnsTheErrorInsteadOfThrowing()
    {
        Assert.False(Sl651Decoder.TryDecode("hello"u8, out var frame, out var error));
        Assert.Null(frame);
        Assert.Equal(Sl651FrameError.BadStart, error.Error);
        Assert.True(Sl651Decoder.TryDecode(Sample(), out frame, out error));
        Assert.Null(error);
        Assert.Equal(0x12, frame.Serial);
    }

    [Fact]
    public void FrameLength_FromTheHeaderAlone_GivesTheWholeFrame()
    {
        Assert.Equal(-1, Sl651Decoder.FrameLength(Sample().AsSpan(0, 13)));
        Assert.Equal(60, Sl651Decoder.FrameLength(Sample().AsSpan(0, 14)));
    }
}
