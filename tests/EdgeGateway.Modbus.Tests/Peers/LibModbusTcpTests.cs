namespace EdgeGateway.Modbus.Tests.Peers;

public sealed class LibModbusTcpFixture : IAsyncLifetime
{
    public const byte SilentUnit = 99;

    internal LibModbusPeer Peer { get; private set; } = null!;

    public async Task InitializeAsync() => Peer = await LibModbusPeer.StartTcpAsync(silentUnit: SilentUnit);

    public async Task DisposeAsync() => await Peer.DisposeAsync();
}

public sealed class LibModbusTcpTests(LibModbusTcpFixture fixture) : LibModbusConformanceTests, IClassFixture<LibModbusTcpFixture>
{
    protected override byte Slave => 1;

    protected override byte SilentSlave => LibModbusTcpFixture.SilentUnit;

    [Fact]
    public async Task ReadHoldingRegisters_AnyUnitTheServerAnswers_IsAccepted()
    {
        await using var client = CreateClient();
        Assert.Equal(new[] { PeerMap.Holding(7) }, await client.ReadHoldingRegistersAsync(255, 7, 1));
        Assert.Equal(new[] { PeerMap.Holding(7) }, await client.ReadHoldingRegistersAsync(0, 7, 1));
    }

    [Fact]
    public async Task ReadHoldingRegisters_AfterTheServerRestarts_ReconnectsWithoutARetry()
    {
        var peer = await LibModbusPeer.StartTcpAsync();
        var port = peer.Port;
        await using var client = ModbusClient.CreateTcp("127.0.0.1", port, new ModbusClientOptions { Timeout = Timeout });
        Assert.Equal(new[] { PeerMap.Holding(1) }, await client.ReadHoldingRegistersAsync(1, 1, 1));
        await peer.DisposeAsync();
        await using var restarted = await LibModbusPeer.StartTcpAsync(port);
        Assert.Equal(new[] { PeerMap.Holding(2) }, await client.ReadHoldingRegistersAsync(1, 2, 1));
    }

    [Fact]
    public async Task ReadHoldingRegisters_WithoutSynchronousWait_ReadsThroughTheAsynchronousPath()
    {
        var transport = new Transports.TcpTransport("127.0.0.1", fixture.Peer.Port, synchronousWait: TimeSpan.Zero);
        await using var client = new ModbusClient(transport, ModbusFraming.Tcp, new ModbusClientOptions { Timeout = Timeout });
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(Enumerable.Range(i, 3).Select(PeerMap.Holding), await client.ReadHoldingRegistersAsync(Slave, (ushort)i, 3));
        }
    }

    [Fact]
    public async Task ReadHoldingRegisters_NobodyListening_ThrowsConnectionRefused()
    {
        var peer = await LibModbusPeer.StartTcpAsync();
        var port = peer.Port;
        await peer.DisposeAsync();
        await using var client = ModbusClient.CreateTcp("127.0.0.1", port, new ModbusClientOptions { Timeout = Timeout });
        var e = await Assert.ThrowsAsync<ModbusConnectionException>(() => client.ReadHoldingRegistersAsync(1, 0, 1));
        Assert.Contains("refused", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    protected override ModbusClient CreateClient(TimeSpan? timeout = null, int retries = 0) =>
        ModbusClient.CreateTcp("127.0.0.1", fixture.Peer.Port, new ModbusClientOptions { Timeout = timeout ?? Timeout, Retries = retries });
}
