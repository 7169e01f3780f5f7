using EdgeGateway.Modbus.Decoding;

namespace EdgeGateway.Modbus.Tests.Decoding;

public sealed class RegisterDecoderTests
{
    [Theory]
    // 0x41460000 = 12.375f; bytes A=41 B=46 C=00 D=00.
    [InlineData(ByteOrder.ABCD, 0x4146, 0x0000)]
    [InlineData(ByteOrder.CDAB, 0x0000, 0x4146)]
    [InlineData(ByteOrder.BADC, 0x4641, 0x0000)]
    [InlineData(ByteOrder.DCBA, 0x0000, 0x4641)]
    public void Decode_Float32InEachOrder_Reads12_375(ByteOrder order, int r0, int r1)
    {
        Assert.Equal(12.375, RegisterDecoder.Decode(new[] { (ushort)r0, (ushort)r1 }, RegisterType.Float32, order));
    }

    [Theory]
    // 0x01020304 = 16909060.
    [InlineData(ByteOrder.ABCD, 0x0102, 0x0304)]
    [InlineData(ByteOrder.CDAB, 0x0304, 0x0102)]
    [InlineData(ByteOrder.BADC, 0x0201, 0x0403)]
    [InlineData(ByteOrder.DCBA, 0x0403, 0x0201)]
    public void Decode_UInt32InEachOrder_Reads0x01020304(ByteOrder order, int r0, int r1)
    {
        Assert.Equal(0x01020304, RegisterDecoder.Decode(new[] { (ushort)r0, (ushort)r1 }, RegisterType.UInt32, order));
    }

    [Theory]
    // 0x0102030405060708, A..H = 01..08.
    [InlineData(ByteOrder.ABCD, 0x0102, 0x0304, 0x0506, 0x0708)]
    [InlineData(ByteOrder.CDAB, 0x0708, 0x0506, 0x0304, 0x0102)]
    [InlineData(ByteOrder.BADC, 0x0201, 0x0403, 0x0605, 0x0807)]
    [InlineData(ByteOrder.DCBA, 0x0807, 0x0605, 0x0403, 0x0201)]
    public void ReadBits_UInt64InEachOrder_FollowsThePatternWordByWord(ByteOrder order, int r0, int r1, int r2, int r3)
    {
        var registers = new[] { (ushort)r0, (ushort)r1, (ushort)r2, (ushort)r3 };
        Assert.Equal(0x0102030405060708UL, RegisterDecoder.ReadBits(registers, 4, order));
    }

    [Theory]
    [InlineData(ByteOrder.ABCD, 0x1234)]
    [InlineData(ByteOrder.CDAB, 0x1234)]
    [InlineData(ByteOrder.BADC, 0x3412)]
    [InlineData(ByteOrder.DCBA, 0x3412)]
    public void Decode_UInt16_HonoursByteSwapOnly(ByteOrder order, int expected)
    {
        Assert.Equal(expected, RegisterDecoder.Decode(new ushort[] { 0x1234 }, RegisterType.UInt16, order));
    }

    [Fact]
    public void Decode_SignedTypes_AreTwosComplement()
    {
        Assert.Equal(-2, RegisterDecoder.Decode(new ushort[] { 0xFFFE }, RegisterType.Int16, ByteOrder.ABCD));
        Assert.Equal(-100000, RegisterDecoder.Decode(new ushort[] { 0xFFFE, 0x7960 }, RegisterType.Int32, ByteOrder.ABCD));
        Assert.Equal(-1, RegisterDecoder.Decode(new ushort[] { 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF }, RegisterType.Int64, ByteOrder.ABCD));
    }

    [Fact]
    public void Decode_ScaleAndOffset_AppliedAfterTheRawValue()
    {
        Assert.Equal((1234 * 0.01) - 5, RegisterDecoder.Decode(new ushort[] { 1234 }, RegisterType.UInt16, ByteOrder.ABCD, scale: 0.01, offset: -5));
    }

    [Fact]
    public void Decode_Float64_ReadsIeeeDouble()
    {
        // 0x400921FB54442D18 = Math.PI.
        var registers = new ushort[] { 0x4009, 0x21FB, 0x5444, 0x2D18 };
        Assert.Equal(Math.PI, RegisterDecoder.Decode(registers, RegisterType.Float64, ByteOrder.ABCD));
    }

    [Theory]
    [InlineData(RegisterType.UInt16, 65535)]
    [InlineData(RegisterType.Int16, -32768)]
    [InlineData(RegisterType.UInt32, 4294967295)]
    [InlineData(RegisterType.Int32, -2147483648)]
    [InlineData(RegisterType.Float32, -0.15625)]
    [InlineData(RegisterType.UInt64, 9007199254740993 - 1)]
    [InlineData(RegisterType.Int64, -9007199254740992)]
    [InlineData(RegisterType.Float64, 1e300)]
    public void Encode_ThenDecode_RoundTripsEveryTypeAndOrder(RegisterType type, double value)
    {
        foreach (var order in Enum.GetValues<ByteOrder>())
        {
            var registers = new ushort[RegisterDecoder.Width(type)];
            RegisterDecoder.Encode(value, type, order, registers);
            Assert.Equal(value, RegisterDecoder.DecodeRaw(registers, type, order));
        }
    }

    [Theory]
    [InlineData(2.9)]
    [InlineData(4.1)]
    [InlineData(-0.1)]
    [InlineData(12345.67)]
    public void DecodeRaw_Float32_GivesTheFloatsOwnShortestForm_AndNarrowsBackToTheRegister(double written)
    {
        var registers = new ushort[2];
        RegisterDecoder.Encode(written, RegisterType.Float32, ByteOrder.ABCD, registers);

        var value = RegisterDecoder.DecodeRaw(registers, RegisterType.Float32, ByteOrder.ABCD);

        // Widened, 2.9f would be 2.9000000953674316.
        Assert.Equal(written.ToString("R", System.Globalization.CultureInfo.InvariantCulture), value.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(BitConverter.SingleToUInt32Bits((float)written), BitConverter.SingleToUInt32Bits((float)value));
    }

    [Theory]
    [InlineData(29, 0.1, 0, 2.9)]         // binary: 2.9000000000000004
    [InlineData(3, 0.1, 0, 0.3)]          // binary: 0.30000000000000004
    [InlineData(1234, 0.1, -100, 23.4)]   // binary: 23.400000000000006
    [InlineData(7, 1, 0, 7)]
    public void Scale_InDecimal_GivesWhatTheConfigurationMeans(double raw, double scale, double offset, double expected)
    {
        Assert.Equal(expected, RegisterDecoder.Scale(raw, scale, offset));
        Assert.Equal(expected, RegisterDecoder.Decode([(ushort)raw], RegisterType.UInt16, ByteOrder.ABCD, scale, offset));
    }

    [Fact]
    public void Encode_ValueOutsideTheType_Throws()
    {
        var registers = new ushort[2];
        Assert.Throws<OverflowException>(() => RegisterDecoder.Encode(70000, RegisterType.UInt16, ByteOrder.ABCD, registers));
        Assert.Throws<OverflowException>(() => RegisterDecoder.Encode(-1, RegisterType.UInt32, ByteOrder.ABCD, registers));
        Assert.Throws<OverflowException>(() => RegisterDecoder.Encode(1.5, RegisterType.Int32, ByteOrder.ABCD, registers));
    }

    [Fact]
    public void ReadBits_TooFewRegisters_Throws()
    {
        Assert.Throws<ArgumentException>(() => RegisterDecoder.ReadBits(new ushort[] { 1 }, 2, ByteOrder.ABCD));
    }
}
