using System.Net;
using EdgeGateway.Modbus.Simulation;
using EdgeGateway.Modbus.Transports;

namespace EdgeGateway.Modbus.Tests.Simulation;

public sealed class ModbusSlaveSimulatorTests
{
    private static readonly ModbusClientOptions s_options = new() { Timeout = TimeSpan.FromSeconds(5) };

    [Fact]
    public async Task Tcp_ValuesChangedWhileRunning_AreServedAndRequestsCounted()
    {
        var map = new ModbusRegisterMap();
        map.Slave(1).SetValue(ModbusTable.Holding, 0, RegisterType.Float32, ByteOrder.ABCD, 1.25);
        map.Slave(1).SetBit(ModbusTable.Discrete, 3, true);
        await using var simulator = new ModbusSlaveSimulator(map);
        var endpoint = simulator.StartTcp(new IPEndPoint(IPAddress.Loopback, 0));
        await using var client = ModbusClient.CreateTcp("127.0.0.1", endpoint.Port, s_options);

        Assert.Equal(new ushort[] { 0x3FA0, 0x0000 }, await client.ReadHoldingRegistersAsync(1, 0, 2));
        map.Slave(1).SetValue(ModbusTable.Holding, 0, RegisterType.Float32, ByteOrder.ABCD, -2);
        Assert.Equal(new ushort[] { 0xC000, 0x0000 }, await client.ReadHoldingRegistersAsync(1, 0, 2));
        Assert.Equal(new[] { false, true }, await client.ReadDiscreteInputsAsync(1, 2, 2));

        Assert.Equal(3, simulator.RequestCount);
        Assert.Equal(3, simulator.RequestCountFor(1));
    }

    [Fact]
    public async Task Tcp_WritesFromTheMaster_LandInTheMap()
    {
        var map = new ModbusRegisterMap();
        await using var simulator = new ModbusSlaveSimulator(map);
        var endpoint = simulator.StartTcp(new IPEndPoint(IPAddress.Loopback, 0));
        await using var client = ModbusClient.CreateTcp("127.0.0.1", endpoint.Port, s_options);
        map.Slave(4);

        await client.WriteMultipleRegistersAsync(4, 10, new ushort[] { 7, 8, 9 });
        await client.WriteSingleRegisterAsync(4, 20, 42);
        await client.WriteSingleCoilAsync(4, 5, true);
        await client.WriteMultipleCoilsAsync(4, 100, new[] { true, false, true });

        Assert.Equal(8, map.Slave(4).GetRegister(ModbusTable.Holding, 11));
        Assert.Equal(42, map.Slave(4).GetRegister(ModbusTable.Holding, 20));
        Assert.True(map.Slave(4).GetBit(ModbusTable.Coil, 5));
        Assert.Equal(new[] { true, false, true }, await client.ReadCoilsAsync(4, 100, 3));
    }

    [Fact]
    public async Task Tcp_SilentUnknownFailingAndSizedSlaves_AnswerAsRealDevicesWould()
    {
        var map = new ModbusRegisterMap();
        map.Slave(1).SetSize(ModbusTable.Holding, 10);
        map.Slave(2).Silent = true;
        map.Slave(3).FailWith = ModbusExceptionCode.ServerDeviceFailure;
        await using var simulator = new ModbusSlaveSimulator(map);
        var endpoint = simulator.StartTcp(new IPEndPoint(IPAddress.Loopback, 0));
        await using var client = ModbusClient.CreateTcp("127.0.0.1", endpoint.Port, new ModbusClientOptions { Timeout = TimeSpan.FromMilliseconds(300) });

        var beyond = await Assert.ThrowsAsync<ModbusExceptionResponse>(() => client.ReadHoldingRegistersAsync(1, 8, 3));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, beyond.Code);
        await Assert.ThrowsAsync<ModbusTimeoutException>(() => client.ReadHoldingRegistersAsync(2, 0, 1));
        await Assert.ThrowsAsync<ModbusTimeoutException>(() => client.ReadHoldingRegistersAsync(9, 0, 1));
        var failing = await Assert.ThrowsAsync<ModbusExceptionResponse>(() => client.ReadHoldingRegistersAsync(3, 0, 1));
        Assert.Equal(ModbusExceptionCode.ServerDeviceFailure, failing.Code);
        Assert.Equal(4, simulator.RequestCount);
        Assert.Equal(1, simulator.RequestCountFor(9));
    }

    [Fact]
    public async Task Rtu_OnAPty_ServesTheMasterAndDropsBadFrames()
    {
        await using var pty = await SocatPtyPair.StartAsync();
        var map = new ModbusRegisterMap();
        map.Slave(7).SetValue(ModbusTable.Input, 10, RegisterType.UInt32, ByteOrder.CDAB, 123456);
        await using var simulator = new ModbusSlaveSimulator(map);
        simulator.StartRtu(new SerialSettings(pty.First, 115200));
        await using (var client = ModbusClient.CreateRtu(new SerialSettings(pty.Second, 115200), s_options))
        {
            Assert.Equal(new ushort[] { 0xE240, 0x0001 }, await client.ReadInputRegistersAsync(7, 10, 2));
            await client.WriteSingleRegisterAsync(7, 3, 99);
            Assert.Equal(99, map.Slave(7).GetRegister(ModbusTable.Holding, 3));
        }

        Assert.Equal(2, simulator.RequestCount);

        // A corrupted request (bad CRC) gets no answer; the simulator drains the line until it is quiet, which
        // may swallow a request sent right behind it, so the master is given a retry.
        await using (var raw = new ScriptedRawPort(pty.Second))
        {
            await raw.WriteAsync([7, 3, 0, 0, 0, 1, 0x00, 0x00]);
        }

        await using var retrying = ModbusClient.CreateRtu(new SerialSettings(pty.Second, 115200), new ModbusClientOptions { Timeout = TimeSpan.FromSeconds(1), Retries = 2 });
        Assert.Equal(new ushort[] { 99 }, await retrying.ReadHoldingRegistersAsync(7, 3, 1));
    }

    [Fact]
    public async Task WaitForRequestsAsync_CompletesWhenTheCountIsReached()
    {
        var map = new ModbusRegisterMap();
        map.Slave(1);
        await using var simulator = new ModbusSlaveSimulator(map);
        var endpoint = simulator.StartTcp(new IPEndPoint(IPAddress.Loopback, 0));
        var waiting = simulator.WaitForRequestsAsync(2);
        await using var client = ModbusClient.CreateTcp("127.0.0.1", endpoint.Port, s_options);
        await client.ReadHoldingRegistersAsync(1, 0, 1);
        Assert.False(waiting.IsCompleted);
        await client.ReadHoldingRegistersAsync(1, 0, 1);
        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
    }

    /// <summary>Writes raw bytes to a serial device, for frames the client would never send.</summary>
    private sealed class ScriptedRawPort(string device) : IAsyncDisposable
    {
        private readonly System.IO.Ports.SerialPort _port = Open(device);

        public async Task WriteAsync(byte[] bytes) => await _port.BaseStream.WriteAsync(bytes);

        public ValueTask DisposeAsync()
        {
            _port.Dispose();
            return ValueTask.CompletedTask;
        }

        private static System.IO.Ports.SerialPort Open(string device)
        {
            var port = new System.IO.Ports.SerialPort(device, 115200);
            port.Open();
            return port;
        }
    }
}
