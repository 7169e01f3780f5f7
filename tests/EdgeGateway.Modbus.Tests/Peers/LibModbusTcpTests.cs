using System.Diagnostics;

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

    [Fact]
    public async Task ReadHoldingRegisters_AnswerWithinTheSynchronousWait_CompletesOnTheCallingThreadAllocatingNothing()
    {
        // A synchronous wait far above a loaded machine's scheduling delays, so the answer nearly always makes it.
        var transport = new Transports.TcpTransport("127.0.0.1", fixture.Peer.Port, synchronousWait: TimeSpan.FromMilliseconds(100));
        await using var client = new ModbusClient(transport, ModbusFraming.Tcp, new ModbusClientOptions { Timeout = Timeout });
        var buffer = new ushort[10];

        // A cancellable token, as the station and the CLI pass: its registration must not cost per request.
        using var stop = new CancellationTokenSource();
        await client.ReadHoldingRegistersAsync(Slave, 0, buffer, stop.Token);
        var (synchronous, allocated) = (0, 0L);
        for (var i = 0; i < 1000; i++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var read = client.ReadHoldingRegistersAsync(Slave, 0, buffer, stop.Token);
            if (read.IsCompletedSuccessfully)
            {
                // Already complete: the await goes on synchronously, on this thread.
                await read;
                allocated += GC.GetAllocatedBytesForCurrentThread() - before;
                synchronous++;
            }
            else
            {
                await read;
            }
        }

        Assert.InRange(synchronous, 900, 1000);
        Assert.InRange(allocated, 0, synchronous / 2);
        Assert.Equal(Enumerable.Range(0, 10).Select(PeerMap.Holding), buffer);
    }

    [Fact]
    public async Task ReadHoldingRegisters_SilentUnitCancelledByTheCaller_StopsWaitingAndTheLinkStaysUsable()
    {
        await using var client = CreateClient(timeout: TimeSpan.FromSeconds(30));
        Assert.Equal(new[] { PeerMap.Holding(3) }, await client.ReadHoldingRegistersAsync(Slave, 3, 1));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ReadHoldingRegistersAsync(SilentSlave, 0, 1, cancel.Token));
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(10));
        Assert.Equal(new[] { PeerMap.Holding(4) }, await client.ReadHoldingRegistersAsync(Slave, 4, 1));
    }

    protected override ModbusClient CreateClient(TimeSpan? timeout = null, int retries = 0) =>
        ModbusClient.CreateTcp("127.0.0.1", fixture.Peer.Port, new ModbusClientOptions { Timeout = timeout ?? Timeout, Retries = retries });
}
