using System.Globalization;
using System.Diagnostics;
using EdgeGateway.Modbus.Decoding;

namespace EdgeGateway.Modbus.Tests.Peers;

/// <summary>
/// Our master against libmodbus's slave: every function code, every type and order, exception responses and a
/// silent slave. Run over TCP and over RTU (see the derived classes). Tests in one class run one at a time,
/// and each writes only its own addresses.
/// </summary>
public abstract class LibModbusConformanceTests
{
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    protected static readonly TimeSpan SilentTimeout = TimeSpan.FromMilliseconds(400);

    /// <summary>The slave the peer answers.</summary>
    protected abstract byte Slave { get; }

    /// <summary>A slave address the peer never answers.</summary>
    protected abstract byte SilentSlave { get; }

    public static TheoryData<RegisterType, ByteOrder, ushort, ulong> TypedValues => PeerMap.TypedValues();

    [Fact]
    public async Task ReadHoldingRegisters_Block_MatchesPeerMap()
    {
        await using var client = CreateClient();
        var registers = await client.ReadHoldingRegistersAsync(Slave, 0, 10);
        Assert.Equal(Enumerable.Range(0, 10).Select(PeerMap.Holding), registers);
    }

    [Fact]
    public async Task ReadHoldingRegisters_MaximumCount_Reads125()
    {
        await using var client = CreateClient();
        var registers = await client.ReadHoldingRegistersAsync(Slave, 200, 125);
        Assert.Equal(Enumerable.Range(200, 125).Select(PeerMap.Holding), registers);
    }

    [Fact]
    public async Task ReadInputRegisters_Block_MatchesPeerMap()
    {
        await using var client = CreateClient();
        var registers = await client.ReadInputRegistersAsync(Slave, 20, 7);
        Assert.Equal(Enumerable.Range(20, 7).Select(PeerMap.Input), registers);
    }

    [Fact]
    public async Task ReadCoils_OddCount_MatchesPeerMap()
    {
        await using var client = CreateClient();
        var coils = await client.ReadCoilsAsync(Slave, 3, 37);
        Assert.Equal(Enumerable.Range(3, 37).Select(PeerMap.Coil), coils);
    }

    [Fact]
    public async Task ReadCoils_MaximumCount_Reads2000()
    {
        await using var client = CreateClient();
        var coils = await client.ReadCoilsAsync(Slave, 0, 2000);
        Assert.Equal(Enumerable.Range(0, 2000).Select(PeerMap.Coil), coils);
    }

    [Fact]
    public async Task ReadDiscreteInputs_Block_MatchesPeerMap()
    {
        await using var client = CreateClient();
        var inputs = await client.ReadDiscreteInputsAsync(Slave, 100, 21);
        Assert.Equal(Enumerable.Range(100, 21).Select(PeerMap.Discrete), inputs);
    }

    [Theory]
    [MemberData(nameof(TypedValues))]
    public async Task Decode_EveryTypeAndOrderWrittenByLibModbus_ReadsTheValue(RegisterType type, ByteOrder order, ushort address, ulong bits)
    {
        await using var client = CreateClient();
        var width = RegisterDecoder.Width(type);
        var registers = await client.ReadHoldingRegistersAsync(Slave, address, (ushort)width);
        Assert.Equal(bits, RegisterDecoder.ReadBits(registers, width, order));
        var expected = type switch
        {
            RegisterType.UInt16 => (ushort)bits,
            RegisterType.Int16 => (short)bits,
            RegisterType.UInt32 => (uint)bits,
            RegisterType.Int32 => (int)bits,
            // A float32 reads as the double of its shortest form (123.456, not 123.45600128173828), the same float.
            RegisterType.Float32 => double.Parse(BitConverter.UInt32BitsToSingle((uint)bits).ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
            RegisterType.UInt64 => bits,
            RegisterType.Int64 => (long)bits,
            _ => BitConverter.UInt64BitsToDouble(bits),
        };
        var decoded = RegisterDecoder.DecodeRaw(registers, type, order);
        Assert.Equal(expected, decoded);
        if (type == RegisterType.Float32)
        {
            Assert.Equal((uint)bits, BitConverter.SingleToUInt32Bits((float)decoded));
        }
    }

    [Fact]
    public async Task Decode_RainCounterInInputRegisters_ReadsUInt32Cdab()
    {
        await using var client = CreateClient();
        var registers = await client.ReadInputRegistersAsync(Slave, 10, 2);
        Assert.Equal(123456 * 0.1, RegisterDecoder.Decode(registers, RegisterType.UInt32, ByteOrder.CDAB, scale: 0.1));
    }

    [Fact]
    public async Task WriteSingleRegister_ThenRead_ReadsWhatWasWritten()
    {
        await using var client = CreateClient();
        await client.WriteSingleRegisterAsync(Slave, 580, 0xA55A);
        Assert.Equal(new ushort[] { 0xA55A }, await client.ReadHoldingRegistersAsync(Slave, 580, 1));
    }

    [Fact]
    public async Task WriteMultipleRegisters_ThenRead_ReadsWhatWasWritten()
    {
        await using var client = CreateClient();
        var values = Enumerable.Range(0, 123).Select(i => (ushort)(i * 521)).ToArray();
        await client.WriteMultipleRegistersAsync(Slave, 400, values);
        Assert.Equal(values, await client.ReadHoldingRegistersAsync(Slave, 400, 123));
    }

    [Fact]
    public async Task WriteSingleCoil_ThenRead_ReadsWhatWasWritten()
    {
        await using var client = CreateClient();
        await client.WriteSingleCoilAsync(Slave, 1500, true);
        await client.WriteSingleCoilAsync(Slave, 1501, false);
        Assert.Equal(new[] { true, false }, await client.ReadCoilsAsync(Slave, 1500, 2));
        await client.WriteSingleCoilAsync(Slave, 1500, false);
        Assert.Equal(new[] { false }, await client.ReadCoilsAsync(Slave, 1500, 1));
    }

    [Fact]
    public async Task WriteMultipleCoils_ThenRead_ReadsWhatWasWritten()
    {
        await using var client = CreateClient();
        var values = Enumerable.Range(0, 1968).Select(i => i % 4 == 1).ToArray();
        await client.WriteMultipleCoilsAsync(Slave, 10, values);
        Assert.Equal(values, await client.ReadCoilsAsync(Slave, 10, 1968));
        await client.WriteMultipleCoilsAsync(Slave, 10, Enumerable.Range(10, 1968).Select(PeerMap.Coil).ToArray());
    }

    [Fact]
    public async Task ReadHoldingRegisters_BeyondTheMap_ThrowsIllegalDataAddress()
    {
        await using var client = CreateClient();
        var e = await Assert.ThrowsAsync<ModbusExceptionResponse>(() => client.ReadHoldingRegistersAsync(Slave, PeerMap.Size - 2, 5));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, e.Code);
        Assert.Equal("illegal data address", e.CodeName);
        // The connection stays usable after an exception response.
        Assert.Equal(new[] { PeerMap.Holding(0) }, await client.ReadHoldingRegistersAsync(Slave, 0, 1));
    }

    [Fact]
    public async Task ReadCoils_BeyondTheMap_ThrowsIllegalDataAddress()
    {
        await using var client = CreateClient();
        var e = await Assert.ThrowsAsync<ModbusExceptionResponse>(() => client.ReadCoilsAsync(Slave, PeerMap.Bits, 1));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, e.Code);
        Assert.Equal(1, e.Function);
    }

    [Fact]
    public async Task ReadHoldingRegisters_BusyAddress_ThrowsServerDeviceBusyWithoutRetrying()
    {
        await using var client = CreateClient(retries: 2);
        var e = await Assert.ThrowsAsync<ModbusExceptionResponse>(() => client.ReadHoldingRegistersAsync(Slave, PeerMap.BusyAddress, 1));
        Assert.Equal(ModbusExceptionCode.ServerDeviceBusy, e.Code);
        Assert.Equal("server device busy", e.CodeName);
    }

    [Fact]
    public async Task ReadHoldingRegisters_SilentSlave_TimesOutWithinTheTimeoutAndTheBusStaysUsable()
    {
        await using var client = CreateClient(timeout: SilentTimeout);
        // Connected first: only the silent slave's wait is timed, not the connect on a loaded machine.
        await client.ReadHoldingRegistersAsync(Slave, 5, 1);
        var watch = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<ModbusTimeoutException>(() => client.ReadHoldingRegistersAsync(SilentSlave, 0, 1));
        watch.Stop();
        Assert.Equal(SilentTimeout, e.Timeout);
        Assert.InRange(watch.Elapsed, SilentTimeout * 0.9, SilentTimeout + TimeSpan.FromSeconds(2));
        Assert.Equal(new[] { PeerMap.Holding(5) }, await client.ReadHoldingRegistersAsync(Slave, 5, 1));
    }

    [Fact]
    public async Task ReadHoldingRegisters_SilentSlaveWithRetries_TriesEachAttemptThenTimesOut()
    {
        await using var client = CreateClient(timeout: SilentTimeout, retries: 1);
        await client.ReadHoldingRegistersAsync(Slave, 5, 1);
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<ModbusTimeoutException>(() => client.ReadHoldingRegistersAsync(SilentSlave, 0, 1));
        Assert.InRange(watch.Elapsed, SilentTimeout * 1.8, (SilentTimeout * 2) + TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task ReadHoldingRegisters_ManyInARow_AllAnswersMatch()
    {
        await using var client = CreateClient();
        var buffer = new ushort[4];
        for (var i = 0; i < 200; i++)
        {
            var address = (ushort)(i % 90);
            await client.ReadHoldingRegistersAsync(Slave, address, buffer);
            Assert.Equal(Enumerable.Range(address, 4).Select(PeerMap.Holding), buffer);
        }
    }

    protected abstract ModbusClient CreateClient(TimeSpan? timeout = null, int retries = 0);
}
