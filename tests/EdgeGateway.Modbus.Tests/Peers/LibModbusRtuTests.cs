using EdgeGateway.Modbus.Transports;

namespace EdgeGateway.Modbus.Tests.Peers;

/// <summary>libmodbus serving slave 1 over RTU on one end of a socat pty pair; the master opens the other.</summary>
public sealed class LibModbusRtuFixture : IAsyncLifetime
{
    public const int Baud = 115200;

    internal SocatPtyPair Pty { get; private set; } = null!;

    internal LibModbusPeer Peer { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Pty = await SocatPtyPair.StartAsync();
        Peer = await LibModbusPeer.StartRtuAsync(Pty.First, Baud, 1);
    }

    public async Task DisposeAsync()
    {
        await Peer.DisposeAsync();
        await Pty.DisposeAsync();
    }
}

public sealed class LibModbusRtuTests(LibModbusRtuFixture fixture) : LibModbusConformanceTests, IClassFixture<LibModbusRtuFixture>
{
    protected override byte Slave => 1;

    protected override byte SilentSlave => 17;

    [Fact]
    public async Task ReadHoldingRegisters_At9600Baud_WaitsTheLongerInterFrameSilenceAndReads()
    {
        await using var client = ModbusClient.CreateRtu(new SerialSettings(fixture.Pty.Second, 9600), new ModbusClientOptions { Timeout = Timeout });
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(new[] { PeerMap.Holding(i) }, await client.ReadHoldingRegistersAsync(1, (ushort)i, 1));
        }
    }

    [Fact]
    public async Task ReadHoldingRegisters_MissingDevice_ThrowsConnectionError()
    {
        await using var client = ModbusClient.CreateRtu(new SerialSettings("/dev/edgegw-no-such-port"), new ModbusClientOptions { Timeout = Timeout });
        var e = await Assert.ThrowsAsync<ModbusConnectionException>(() => client.ReadHoldingRegistersAsync(1, 0, 1));
        Assert.Contains("/dev/edgegw-no-such-port", e.Message, StringComparison.Ordinal);
    }

    protected override ModbusClient CreateClient(TimeSpan? timeout = null, int retries = 0) =>
        ModbusClient.CreateRtu(
            new SerialSettings(fixture.Pty.Second, LibModbusRtuFixture.Baud),
            new ModbusClientOptions { Timeout = timeout ?? Timeout, Retries = retries });
}
