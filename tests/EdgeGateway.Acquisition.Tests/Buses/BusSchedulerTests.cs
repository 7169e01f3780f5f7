using EdgeGateway.Acquisition.Buses;
using EdgeGateway.Core.Events;
using EdgeGateway.Core.Readings;
using EdgeGateway.Modbus;
using EdgeGateway.Modbus.Simulation;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Acquisition.Tests.Buses;

/// <summary>Real-time tests (a dead slave costs real timeouts) run alone, not beside the other classes.</summary>
[CollectionDefinition(nameof(RealTime), DisableParallelization = true)]
public sealed class RealTime;

[Collection(nameof(RealTime))]
public sealed class BusSchedulerTests
{
    private static readonly DateTimeOffset Start = new(2026, 7, 1, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task RunAsync_AdjacentRegistersSamePeriod_OneRequestPerCycle()
    {
        var map = new ModbusRegisterMap();
        var slave = map.Slave(1);
        slave.SetValue(ModbusTable.Holding, 0, RegisterType.Float32, ByteOrder.ABCD, 2.75);
        slave.SetValue(ModbusTable.Holding, 2, RegisterType.UInt16, ByteOrder.ABCD, 512);
        slave.SetValue(ModbusTable.Holding, 3, RegisterType.UInt32, ByteOrder.CDAB, 70000);
        var time = new FakeTimeProvider(Start);
        var poll = TimeSpan.FromSeconds(5);
        await using var rig = BusRig.Create(map, [
            Sensor("level", 1, 0, RegisterType.Float32, poll),
            Sensor("temp", 1, 2, RegisterType.UInt16, poll, scale: 0.1),
            Sensor("count", 1, 3, RegisterType.UInt32, poll, order: ByteOrder.CDAB),
        ], time);

        rig.Start();
        for (var cycle = 1; cycle <= 4; cycle++)
        {
            var expected = cycle * 3;
            await rig.Sinks.WaitAsync(() => rig.Sinks.Readings.Count == expected);
            if (cycle < 4)
            {
                await rig.AdvanceAsync(time, poll);
            }
        }

        await rig.StopAsync();
        Assert.Equal(4, rig.Simulator.RequestCount);
        Assert.Equal(12, rig.Scheduler.Statistics.PointsCoalesced);
        Assert.All(rig.Sinks.Of("level"), r => Assert.Equal(2.75, r.Value));
        Assert.All(rig.Sinks.Of("temp"), r => Assert.Equal(51.2, r.Value, 9));
        Assert.All(rig.Sinks.Of("count"), r => Assert.Equal(70000, r.Value));
        Assert.Equal([Start, Start + poll, Start + (poll * 2), Start + (poll * 3)], rig.Sinks.Of("level").Select(r => r.Time));
    }

    [Fact]
    public async Task RunAsync_DifferentPeriods_CoalescedWhenGridsMeet()
    {
        var map = new ModbusRegisterMap();
        map.Slave(1).SetValue(ModbusTable.Input, 10, RegisterType.UInt16, ByteOrder.ABCD, 1);
        map.Slave(1).SetValue(ModbusTable.Input, 11, RegisterType.UInt16, ByteOrder.ABCD, 2);
        var time = new FakeTimeProvider(Start);
        var fast = TimeSpan.FromSeconds(5);
        await using var rig = BusRig.Create(map, [
            Sensor("fast", 1, 10, RegisterType.UInt16, fast, table: ModbusTable.Input),
            Sensor("slow", 1, 11, RegisterType.UInt16, fast * 2, table: ModbusTable.Input),
        ], time);

        rig.Start();
        int[] totals = [2, 3, 5, 6];
        foreach (var total in totals)
        {
            await rig.Sinks.WaitAsync(() => rig.Sinks.Readings.Count == total);
            if (total != totals[^1])
            {
                // Not after the last cycle: that would start a fifth request while the rig stops.
                await rig.AdvanceAsync(time, fast);
            }
        }

        await rig.StopAsync();

        // t=0 both, t=5 fast, t=10 both, t=15 fast: four requests for six readings.
        Assert.Equal(4, rig.Simulator.RequestCount);
        Assert.Equal(4, rig.Sinks.Of("fast").Count);
        Assert.Equal(2, rig.Sinks.Of("slow").Count);
    }

    [Fact]
    public async Task RunAsync_RunLongerThan125Registers_SplitIntoTwoRequests()
    {
        var map = new ModbusRegisterMap();
        map.Slave(1).SetSize(ModbusTable.Holding, 300);
        var time = new FakeTimeProvider(Start);
        var poll = TimeSpan.FromSeconds(5);
        var sensors = Enumerable.Range(0, 70).Select(i => Sensor($"s{i}", 1, (ushort)(2 * i), RegisterType.UInt32, poll)).ToList();
        await using var rig = BusRig.Create(map, sensors, time);

        rig.Start();
        await rig.Sinks.WaitAsync(() => rig.Sinks.Readings.Count == 70);
        await rig.StopAsync();

        // 140 registers: one request of 124 (62 values of 2) and one of 16.
        Assert.Equal(2, rig.Simulator.RequestCount);
        Assert.All(rig.Sinks.Readings, r => Assert.Equal(Quality.Good, r.Quality));
    }

    [Fact]
    public async Task RunAsync_DeadSlaveBesideLiveOne_LiveKeepsItsPeriod()
    {
        var map = new ModbusRegisterMap();
        map.Slave(1).SetValue(ModbusTable.Holding, 0, RegisterType.Float32, ByteOrder.ABCD, 3.1);
        map.Slave(2).SetValue(ModbusTable.Input, 10, RegisterType.UInt32, ByteOrder.CDAB, 5000);
        map.Slave(2).Silent = true;
        var poll = TimeSpan.FromMilliseconds(500);
        await using var rig = BusRig.Create(
            map,
            [
                Sensor("river-level", 1, 0, RegisterType.Float32, poll),
                Sensor("rain-counter", 2, 10, RegisterType.UInt32, poll, table: ModbusTable.Input),
            ],
            TimeProvider.System,
            timeout: TimeSpan.FromMilliseconds(120),
            retries: 1,
            tuning: new SchedulerTuning(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4)));

        rig.Start();
        await rig.Sinks.WaitAsync(() => rig.Sinks.Of("river-level").Count >= 21, TimeSpan.FromSeconds(60));
        await rig.StopAsync();

        // 20 periods of the live slave: its mean period within 10 % of 500 ms.
        var live = rig.Sinks.Of("river-level").Take(21).ToList();
        var intervals = live.Zip(live.Skip(1), (a, b) => (b.Time - a.Time).TotalMilliseconds).ToList();
        var trace = string.Join(" ", rig.Sinks.Readings.Select(r => $"{r.SensorId[0]}{(r.IsGood ? "+" : "-")}{(r.Time - live[0].Time).TotalMilliseconds:0}"));
        Assert.True(intervals.Average() is >= 450 and <= 550, $"mean {intervals.Average()} ms; dead requests {rig.Simulator.RequestCountFor(2)}; {trace}");
        Assert.True(live.Count(r => r.IsGood) >= 20, "the live slave answered; at most one reading may be lost to a loaded machine");

        // Each probe of the dead slave costs two timeouts (240 ms); without backoff that would be every 500 ms,
        // about 40 requests in this time. With it: two failures, then probes after 1 s, 2 s, 4 s, 4 s.
        var deadRequests = rig.Simulator.RequestCountFor(2);
        Assert.InRange(deadRequests, 4, 12);
        var dead = rig.Sinks.Of("rain-counter");
        Assert.All(dead, r => Assert.Equal(Quality.CommFault, r.Quality));
        Assert.True(dead.Count >= 15, $"the dead slave's sensor should still report a fault each period, got {dead.Count}");
        Assert.True(rig.Scheduler.Statistics.PointsSkipped > 0);
        Assert.Contains(rig.Sinks.EventsOf(StationEventTypes.SensorFault), e => e.Source == "rain-counter");
    }

    [Fact]
    public async Task RunAsync_DeadSlaveComesBack_FoundAtNextProbe()
    {
        var map = new ModbusRegisterMap();
        map.Slave(2).SetValue(ModbusTable.Holding, 0, RegisterType.UInt16, ByteOrder.ABCD, 7);
        map.Slave(2).Silent = true;
        await using var rig = BusRig.Create(
            map,
            [Sensor("gauge", 2, 0, RegisterType.UInt16, TimeSpan.FromMilliseconds(100))],
            TimeProvider.System,
            timeout: TimeSpan.FromMilliseconds(50),
            tuning: new SchedulerTuning(TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(1)));

        rig.Start();
        await rig.Sinks.WaitAsync(() => rig.Scheduler.Statistics.PointsSkipped > 0, TimeSpan.FromSeconds(30));
        map.Slave(2).Silent = false;
        await rig.Sinks.WaitAsync(() => rig.Sinks.EventsOf(StationEventTypes.SensorRecovered).Count == 1, TimeSpan.FromSeconds(30));
        await rig.StopAsync();

        Assert.Equal(7, rig.Sinks.Of("gauge").Last(r => r.IsGood).Value);
    }

    [Fact]
    public async Task WriteAsync_PollsWaiting_WriteGoesFirst()
    {
        var map = new ModbusRegisterMap();
        map.Slave(1).SetSize(ModbusTable.Holding, 100);
        map.Slave(1).SetSize(ModbusTable.Coil, 16);
        var time = new FakeTimeProvider(Start);
        await using var rig = BusRig.Create(
            map,
            [
                Sensor("a", 1, 0, RegisterType.UInt16, TimeSpan.FromSeconds(5)),
                Sensor("b", 1, 50, RegisterType.UInt16, TimeSpan.FromSeconds(5)),
            ],
            time,
            gap: TimeSpan.FromMilliseconds(100));

        // Queued before the loop starts, when both polls are already due.
        var write = rig.Scheduler.WriteAsync(ModbusWrite.Coil(1, 3, true));
        rig.Start();
        await write.WaitAsync(TimeSpan.FromSeconds(30));

        // The gap after the write holds the bus: the write was the one and only transaction so far.
        await rig.Scheduler.WhenAsleepAsync(0);
        Assert.Equal(1, rig.Simulator.RequestCount);
        Assert.True(map.Slave(1).GetBit(ModbusTable.Coil, 3));
        Assert.Empty(rig.Sinks.Readings);

        time.Advance(TimeSpan.FromMilliseconds(100));
        await rig.Sinks.WaitAsync(() => rig.Sinks.Readings.Count == 1);
        Assert.Equal("a", rig.Sinks.Readings[0].SensorId);
        await rig.StopAsync();
    }

    [Fact]
    public async Task WriteAsync_SlaveRefuses_ExceptionToCaller()
    {
        var map = new ModbusRegisterMap();
        map.Slave(1).SetSize(ModbusTable.Holding, 4);
        await using var rig = BusRig.Create(map, [], TimeProvider.System);
        rig.Start();

        var ex = await Assert.ThrowsAsync<ModbusExceptionResponse>(() =>
            rig.Scheduler.WriteAsync(ModbusWrite.HoldingRegister(1, 40, 1)).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, ex.Code);
        await rig.Scheduler.WriteAsync(ModbusWrite.HoldingRegisters(1, 0, [1, 2])).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, map.Slave(1).GetRegister(ModbusTable.Holding, 1));
    }

    [Fact]
    public async Task RunAsync_CoalescedSpanRefused_PointsReadAloneAfterwards()
    {
        // The slave serves registers 0-1 only: a request for 0-2 is refused as a whole.
        var map = new ModbusRegisterMap();
        map.Slave(1).SetSize(ModbusTable.Holding, 2);
        map.Slave(1).SetValue(ModbusTable.Holding, 0, RegisterType.Float32, ByteOrder.ABCD, 1.5);
        var time = new FakeTimeProvider(Start);
        await using var rig = BusRig.Create(
            map,
            [
                Sensor("good", 1, 0, RegisterType.Float32, TimeSpan.FromSeconds(5)),
                Sensor("bad", 1, 2, RegisterType.UInt16, TimeSpan.FromSeconds(5)),
            ],
            time);

        rig.Start();
        await rig.Sinks.WaitAsync(() => rig.Sinks.Readings.Count == 2);
        await rig.StopAsync();

        Assert.Equal(1.5, Assert.Single(rig.Sinks.Of("good")).Value);
        var bad = Assert.Single(rig.Sinks.Of("bad"));
        Assert.Equal(Quality.CommFault, bad.Quality);
        Assert.Contains("refused", rig.Sinks.EventsOf(StationEventTypes.SensorFault).Single().Message, StringComparison.Ordinal);

        // One refused span, then one request per point.
        Assert.Equal(3, rig.Simulator.RequestCount);
    }

    [Fact]
    public async Task RunAsync_Gap_NextRequestWaitsForIt()
    {
        var map = new ModbusRegisterMap();
        map.Slave(1).SetSize(ModbusTable.Holding, 100);
        map.Slave(3).SetSize(ModbusTable.Holding, 100);
        var time = new FakeTimeProvider(Start);
        await using var rig = BusRig.Create(
            map,
            [Sensor("a", 1, 0, RegisterType.UInt16, TimeSpan.FromSeconds(5)), Sensor("b", 3, 0, RegisterType.UInt16, TimeSpan.FromSeconds(5))],
            time,
            gap: TimeSpan.FromMilliseconds(250));

        rig.Start();
        await rig.Sinks.WaitAsync(() => rig.Sinks.Readings.Count == 1);
        await rig.Scheduler.WhenAsleepAsync(0);
        Assert.Equal(1, rig.Simulator.RequestCount);

        time.Advance(TimeSpan.FromMilliseconds(250));
        await rig.Sinks.WaitAsync(() => rig.Sinks.Readings.Count == 2);
        await rig.StopAsync();
        Assert.Equal(Start + TimeSpan.FromMilliseconds(250), rig.Sinks.Readings[1].Time);
    }

    internal static ModbusSensorOptions Sensor(
        string id,
        byte slave,
        ushort address,
        RegisterType type,
        TimeSpan poll,
        ModbusTable table = ModbusTable.Holding,
        ByteOrder order = ByteOrder.ABCD,
        double scale = 1.0) => new()
        {
            Id = id,
            Bus = "plc",
            Slave = slave,
            Table = table,
            Address = address,
            Type = type,
            Order = order,
            Scale = scale,
            Poll = poll,
        };
}
