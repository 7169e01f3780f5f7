using EdgeGateway.Acquisition.Internal;
using EdgeGateway.Modbus;

namespace EdgeGateway.Acquisition.Tests.Internal;

/// <summary>The reload plan alone: two option sets in, what stops and starts out; nothing runs.</summary>
public sealed class ReloadPlanTests
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);

    [Fact]
    public void For_SameOptions_ChangesNothing()
    {
        var plan = ReloadPlan.For(Station(), Station(), pinInUse: null);

        Assert.True(plan.Changes.IsEmpty);
        Assert.Empty(plan.Differs);
        Assert.Empty(plan.BusesToStop);
        Assert.Empty(plan.Ina219ToStop);
        Assert.Empty(plan.GpioToRelease);
    }

    [Fact]
    public void ForStart_EverySensorAddedAndNoBusStopped()
    {
        var plan = ReloadPlan.ForStart(Station(), pinInUse: null);

        Assert.Equal(["battery", "discharge", "float", "level", "rain-gauge"], plan.Changes.Added);
        Assert.Empty(plan.BusesToStop);
        Assert.Empty(plan.Changes.BusesRestarted);
    }

    [Fact]
    public void For_SensorAddedToOneBus_OnlyThatBusRestarts()
    {
        var next = Station(o => o.ModbusSensors.Add(Sensor("flow", "plc-a", 2, 0)));

        var plan = ReloadPlan.For(Station(), next, pinInUse: null);

        Assert.Equal(["flow"], plan.Changes.Added);
        Assert.Equal(["plc-a"], plan.BusesToStop);
        Assert.Equal(["plc-a"], plan.Changes.BusesRestarted);
        Assert.Empty(plan.GpioToRelease);
    }

    [Fact]
    public void For_BusRemoved_StoppedButNotRestarted()
    {
        var next = Station(o =>
        {
            o.Buses.RemoveAll(b => b.Id == "plc-b");
            o.ModbusSensors.RemoveAll(s => s.Bus == "plc-b");
        });

        var plan = ReloadPlan.For(Station(), next, pinInUse: null);

        Assert.Equal(["discharge"], plan.Changes.Removed);
        Assert.Equal(["plc-b"], plan.BusesToStop);
        Assert.Empty(plan.Changes.BusesRestarted);
    }

    [Fact]
    public void For_RainCounterNewScale_KeepsItsCount()
    {
        var rain = Sensor("rain-total", "plc-b", 1, 1) with { Kind = ModbusSensorKind.RainTotal, Scale = 0.2 };

        var plan = ReloadPlan.For(Station(o => o.ModbusSensors.Add(rain)), Station(o => o.ModbusSensors.Add(rain with { Scale = 0.5 })), pinInUse: null);

        Assert.Equal(["rain-total"], plan.Changes.Changed);
        Assert.Empty(plan.Changes.CounterBaselines);
    }

    [Fact]
    public void For_RainCounterRegisterMoved_StartsANewBaseline()
    {
        var rain = Sensor("rain-total", "plc-b", 1, 1) with { Kind = ModbusSensorKind.RainTotal, Scale = 0.2 };

        var plan = ReloadPlan.For(Station(o => o.ModbusSensors.Add(rain)), Station(o => o.ModbusSensors.Add(rain with { Address = 7 })), pinInUse: null);

        Assert.Equal(["rain-total"], plan.Changes.CounterBaselines);
    }

    [Fact]
    public void For_GpioInputChanged_ReleasesItsLineAndMayTakeItAgain()
    {
        var next = Station(o => o.DigitalInputs[0] = o.DigitalInputs[0] with { ActiveLow = false });

        var plan = ReloadPlan.For(Station(), next, pinInUse: pin => pin is 22);

        Assert.Equal(["float"], plan.Changes.Changed);
        Assert.Equal(["float"], plan.GpioToRelease);
        Assert.Empty(plan.Ina219ToStop);
    }

    [Fact]
    public void For_GpioLineHeldByARelay_ThrowsBeforeAnythingIsTouched()
    {
        var next = Station(o => o.TippingBuckets.Add(new TippingBucketOptions { Id = "second-gauge", Pin = 5 }));

        var e = Assert.Throws<InvalidOperationException>(() => ReloadPlan.For(Station(), next, pinInUse: pin => pin is 5));

        Assert.Equal("sensor second-gauge: GPIO line 5 is in use by a relay or another input; sensors and buses left as they were", e.Message);
    }

    [Fact]
    public void For_Ina219Changed_StopsItsLoop()
    {
        var next = Station(o => o.Ina219Sensors[0] = o.Ina219Sensors[0] with { Scale = 2 });

        var plan = ReloadPlan.For(Station(), next, pinInUse: null);

        Assert.Equal(["battery"], plan.Ina219ToStop);
        Assert.Empty(plan.BusesToStop);
    }

    private static AcquisitionOptions Station(Action<AcquisitionOptions>? change = null)
    {
        var options = new AcquisitionOptions
        {
            TippingBuckets = [new TippingBucketOptions { Id = "rain-gauge", Pin = 17 }],
            DigitalInputs = [new DigitalInputOptions { Id = "float", Pin = 22, ActiveLow = true }],
            Ina219Sensors = [new Ina219Options { Id = "battery" }],
            Buses =
            [
                new ModbusBusOptions { Id = "plc-a", Tcp = new TcpBusOptions("127.0.0.1", 1502) },
                new ModbusBusOptions { Id = "plc-b", Tcp = new TcpBusOptions("127.0.0.1", 1503) },
            ],
            ModbusSensors = [Sensor("level", "plc-a", 1, 0), Sensor("discharge", "plc-b", 1, 0)],
        };
        change?.Invoke(options);
        return options;
    }

    private static ModbusSensorOptions Sensor(string id, string bus, byte slave, ushort address) =>
        new() { Id = id, Bus = bus, Slave = slave, Address = address, Table = ModbusTable.Holding, Poll = Poll };
}
