using EdgeGateway.Modbus.Tests.Support;

namespace EdgeGateway.Modbus.Tests;

/// <summary>
/// Byte-exact requests and responses for every function code, RTU and TCP (the examples of the Modbus
/// specification, slave 0x11), through the transport seam.
/// </summary>
public sealed class ModbusClientFrameTests
{
    private static readonly ModbusClientOptions s_fast = new() { Timeout = TimeSpan.FromSeconds(2) };

    [Fact]
    public async Task ReadCoils_Rtu_SendsSpecFrameAndUnpacksBits()
    {
        var transport = Answer("11 01 05 CD6BB20E1B 45E6");
        await using var client = new ModbusClient(transport, ModbusFraming.Rtu, s_fast);
        var coils = await client.ReadCoilsAsync(0x11, 0x0013, 0x25);
        Assert.Equal(Frames.Hex("11 01 0013 0025 0E84"), transport.Written.Single());
        Assert.Equal(37, coils.Length);
        // 0xCD = 1100 1101: coils 20..27 read LSB first.
        Assert.Equal(new[] { true, false, true, true, false, false, true, true }, coils[..8]);
        // 0x1B = 0001 1011, of which 5 bits are coils 52..56.
        Assert.Equal(new[] { true, true, false, true, true }, coils[32..]);
    }

    [Fact]
    public async Task ReadDiscreteInputs_Rtu_SendsSpecFrame()
    {
        var transport = Answer("11 02 03 ACDB35 2018");
        await using var client = new ModbusClient(transport, ModbusFraming.Rtu, s_fast);
        var inputs = await client.ReadDiscreteInputsAsync(0x11, 0x00C4, 0x16);
        Assert.Equal(Frames.Hex("11 02 00C4 0016 BAA9"), transport.Written.Single());
        Assert.Equal(new[] { false, false, true, true, false, true, false, true }, inputs[..8]);
        Assert.Equal(22, inputs.Length);
    }

    [Fact]
    public async Task ReadHoldingRegisters_Rtu_SendsSpecFrameAndReadsWords()
    {
        var transport = Answer("11 03 06 AE41 5652 4340 49AD");
        await using var client = new ModbusClient(transport, ModbusFraming.Rtu, s_fast);
        var registers = await client.ReadHoldingRegistersAsync(0x11, 0x006B, 3);
        Assert.Equal(Frames.Hex("11 03 006B 0003 7687"), transport.Written.Single());
        Assert.Equal(new ushort[] { 0xAE41, 0x5652, 0x4340 }, registers);
    }

    [Fact]
    public async Task ReadInputRegisters_Rtu_SendsSpecFrame()
    {
        var transport = Answer("11 04 02 000A F8F4");
        await using var client = new ModbusClient(transport, ModbusFraming.Rtu, s_fast);
        var registers = await client.ReadInputRegistersAsync(0x11, 0x0008, 1);
        Assert.Equal(Frames.Hex("11 04 0008 0001 B298"), transport.Written.Single());
        Assert.Equal(new ushort[] { 10 }, registers);
    }

    [Fact]
    public async Task WriteSingleCoil_Rtu_SendsFF00AndAcceptsEcho()
    {
        var transport = Answer("11 05 00AC FF00 4E8B");
        await using var client = new ModbusClient(transport, ModbusFraming.Rtu, s_fast);
        await client.WriteSingleCoilAsync(0x11, 0x00AC, true);
        Assert.Equal(Frames.Hex("11 05 00AC FF00 4E8B"), transport.Written.Single());
    }

    [Fact]
    public async Task WriteSingleRegister_Rtu_SendsSpecFrame()
    {
        var transport = Answer("11 06 0001 0003 9A9B");
        await using var client = new ModbusClient(transport, ModbusFraming.Rtu, s_fast);
        await client.WriteSingleRegisterAsync(0x11, 0x0001, 0x0003);
        Assert.Equal(Frames.Hex("11 06 0001 0003 9A9B"), transport.Written.Single());
    }

    [Fact]
    public async Task WriteMultipleCoils_Rtu_PacksBitsLsbFirst()
    {
        var transport = Answer("11 0F 0013 000A 2699");
        await using var client = new ModbusClient(transport, ModbusFraming.Rtu, s_fast);
        bool[] coils = [true, false, true, true, false, false, true, true, true, false];
        await client.WriteMultipleCoilsAsync(0x11, 0x0013, coils);
        Assert.Equal(Frames.Hex("11 0F 0013 000A 02 CD01 BF0B"), transport.Written.Single());
    }

    [Fact]
    public async Task WriteMultipleRegisters_Rtu_SendsSpecFrame()
    {
        var transport = Answer("11 10 0001 0002 1298");
        await using var client = new ModbusClient(transport, ModbusFraming.Rtu, s_fast);
        await client.WriteMultipleRegistersAsync(0x11, 0x0001, new ushort[] { 0x000A, 0x0102 });
        Assert.Equal(Frames.Hex("11 10 0001 0002 04 000A 0102 C6F0"), transport.Written.Single());
    }

    [Fact]
    public async Task ReadHoldingRegisters_RtuExceptionResponse_ThrowsCodeAndName()
    {
        var transport = Answer("11 83 02 C134");
        await using var client = new ModbusClient(transport, ModbusFraming.Rtu, s_fast);
        var e = await Assert.ThrowsAsync<ModbusExceptionResponse>(() => client.ReadHoldingRegistersAsync(0x11, 0x006B, 3));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, e.Code);
        Assert.Equal("illegal data address", e.CodeName);
        Assert.Equal(3, e.Function);
    }

    [Fact]
    public async Task ReadHoldingRegisters_Tcp_SendsMbapWithIncreasingTransactionIds()
    {
        var transport = new ScriptedTransport(request => [Frames.Tcp(Frames.TransactionOf(request), 0x11, Frames.RegistersPdu(3, 0xAE41, 0x5652, 0x4340))]);
        await using var client = new ModbusClient(transport, ModbusFraming.Tcp, s_fast);
        var first = await client.ReadHoldingRegistersAsync(0x11, 0x006B, 3);
        await client.ReadHoldingRegistersAsync(0x11, 0x006B, 3);
        Assert.Equal(Frames.Hex("0001 0000 0006 11 03 006B 0003"), transport.Written[0]);
        Assert.Equal(Frames.Hex("0002 0000 0006 11 03 006B 0003"), transport.Written[1]);
        Assert.Equal(new ushort[] { 0xAE41, 0x5652, 0x4340 }, first);
    }

    [Theory]
    [InlineData("0001 0000 0006 11 01 0013 0025", "01 05 CD6BB20E1B")]
    [InlineData("0001 0000 0006 11 02 00C4 0016", "02 03 ACDB35")]
    [InlineData("0001 0000 0006 11 04 0008 0001", "04 02 000A")]
    [InlineData("0001 0000 0006 11 05 00AC FF00", "05 00AC FF00")]
    [InlineData("0001 0000 0006 11 06 0001 0003", "06 0001 0003")]
    [InlineData("0001 0000 0009 11 0F 0013 000A 02 CD01", "0F 0013 000A")]
    [InlineData("0001 0000 000B 11 10 0001 0002 04 000A 0102", "10 0001 0002")]
    public async Task EveryFunction_Tcp_SendsExactMbapFrame(string expectedRequest, string responsePdu)
    {
        var transport = new ScriptedTransport(request => [Frames.Tcp(Frames.TransactionOf(request), 0x11, Frames.Hex(responsePdu))]);
        await using var client = new ModbusClient(transport, ModbusFraming.Tcp, s_fast);
        var request = Frames.Hex(expectedRequest);
        switch (request[7])
        {
            case 1: await client.ReadCoilsAsync(0x11, 0x0013, 0x25); break;
            case 2: await client.ReadDiscreteInputsAsync(0x11, 0x00C4, 0x16); break;
            case 4: await client.ReadInputRegistersAsync(0x11, 0x0008, 1); break;
            case 5: await client.WriteSingleCoilAsync(0x11, 0x00AC, true); break;
            case 6: await client.WriteSingleRegisterAsync(0x11, 0x0001, 3); break;
            case 15: await client.WriteMultipleCoilsAsync(0x11, 0x0013, new[] { true, false, true, true, false, false, true, true, true, false }); break;
            default: await client.WriteMultipleRegistersAsync(0x11, 0x0001, new ushort[] { 0x000A, 0x0102 }); break;
        }

        Assert.Equal(request, transport.Written.Single());
    }

    [Fact]
    public async Task WriteSingleRegister_RtuBroadcast_SendsWithoutWaitingForAnswer()
    {
        var transport = new ScriptedTransport(_ => []);
        await using var client = new ModbusClient(transport, ModbusFraming.Rtu, s_fast);
        await client.WriteSingleRegisterAsync(0, 1, 3).AsTask().WaitAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(0, transport.Written.Single()[0]);
    }

    [Fact]
    public async Task Requests_OutOfProtocolRange_ThrowArgumentErrorsWithoutSending()
    {
        var transport = new ScriptedTransport(_ => []);
        await using var client = new ModbusClient(transport, ModbusFraming.Rtu, s_fast);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.ReadHoldingRegistersAsync(1, 0, 126));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.ReadHoldingRegistersAsync(1, 0, 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.ReadCoilsAsync(1, 0, 2001));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.ReadHoldingRegistersAsync(1, 65530, 10));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.ReadHoldingRegistersAsync(0, 0, 1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.ReadHoldingRegistersAsync(248, 0, 1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.WriteMultipleRegistersAsync(1, 0, new ushort[124]).AsTask());
        Assert.Empty(transport.Written);
    }

    private static ScriptedTransport Answer(string hex) => new(_ => [Frames.Hex(hex)]);
}
