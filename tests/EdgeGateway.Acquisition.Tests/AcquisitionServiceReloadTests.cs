using System.Device.Gpio;
using System.Net;
using EdgeGateway.Acquisition.Buses;
using EdgeGateway.Acquisition.Tests.Buses;
using EdgeGateway.Acquisition.Tests.Power;
using EdgeGateway.Core.Events;
using EdgeGateway.Core.Monitoring;
using EdgeGateway.Core.Readings;
using EdgeGateway.Hardware.Gpio;
using EdgeGateway.Modbus;
using EdgeGateway.Modbus.Simulation;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Acquisition.Tests;

/// <summary>A reload applied to running sensors: Modbus TCP slaves simulated on 127.0.0.1, a simulated GPIO chip.</summary>
[Collection(nameof(RealTime))]
public sealed class AcquisitionServiceReloadTests : IAsyncLifetime, IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 7, 1, 4, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly RecordingSinks _sinks = new();
    private readonly RecordingLoops _loops = new();
    private readonly Dictionary<BusScheduler, long> _asleepAt = [];
    private readonly ModbusSlaveSimulator _plcA = new(new ModbusRegisterMap());
    private readonly ModbusSlaveSimulator _plcB = new(new ModbusRegisterMap());
    private readonly GpioSetup _gpio;
    private int _portA;
    private int _portB;
    private AcquisitionService? _service;

    public AcquisitionServiceReloadTests() => _gpio = GpioControllerFactory.Create(new GpioHardwareOptions(true), _time);

    private AcquisitionService Service => _service!;

    public Task InitializeAsync()
    {
        _portA = _plcA.StartTcp(new IPEndPoint(IPAddress.Loopback, 0)).Port;
        _portB = _plcB.StartTcp(new IPEndPoint(IPAddress.Loopback, 0)).Port;
        _plcA.Map.Slave(1).SetValue(ModbusTable.Holding, 0, RegisterType.UInt16, ByteOrder.ABCD, 250);
        _plcA.Map.Slave(1).SetValue(ModbusTable.Holding, 1, RegisterType.UInt16, ByteOrder.ABCD, 40);
        _plcA.Map.Slave(2).SetValue(ModbusTable.Holding, 0, RegisterType.UInt16, ByteOrder.ABCD, 7);
        _plcB.Map.Slave(1).SetValue(ModbusTable.Input, 0, RegisterType.UInt16, ByteOrder.ABCD, 180);
        _plcB.Map.Slave(1).SetValue(ModbusTable.Input, 1, RegisterType.UInt16, ByteOrder.ABCD, 33);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_service is not null)
        {
            await _service.StopAsync(CancellationToken.None);
        }

        await _plcA.DisposeAsync();
        await _plcB.DisposeAsync();
    }

    public void Dispose()
    {
        _service?.Dispose();
        _gpio.Dispose();
    }

    [Fact]
    public async Task ApplyAsync_SensorAddedToOneBus_PolledAtOnceAndTheOtherBusRunsUntouched()
    {
        await StartAsync(Options());
        await _sinks.WaitAsync(() => _sinks.Of("level").Count == 1 && _sinks.Of("discharge").Count == 1 && _sinks.Of("temp").Count == 1);
        var busA = Service.Bus("plc-a");
        var busB = Service.Bus("plc-b");

        var changes = await Service.ApplyAsync(Options(o => o.ModbusSensors.Add(Sensor("flow", "plc-a", 2, 0))));

        Assert.Equal(["flow"], changes.Added);
        Assert.Equal(["plc-a"], changes.BusesRestarted);
        await _sinks.WaitAsync(() => _sinks.Of("flow").Count == 1);
        Assert.Equal(7, _sinks.Of("flow")[0].Value);
        Assert.NotSame(busA, Service.Bus("plc-a"));
        Assert.Same(busB, Service.Bus("plc-b"));

        // The untouched bus keeps its grid: its second reading comes one period after its first, not after the reload.
        await AdvanceAsync(Period);
        await _sinks.WaitAsync(() => _sinks.Of("temp").Count == 2 && _sinks.Of("flow").Count == 2);
        Assert.Equal([Start, Start + Period], _sinks.Of("temp").Select(r => r.Time));
        Assert.Equal(2, busB!.Statistics.Requests);

        // The stopped bus signed off the watchdog; its successor registered; the other bus never left.
        var a = _loops.Named("bus:plc-a");
        Assert.Equal(2, a.Count);
        Assert.True(a[0].Disposed);
        Assert.False(a[1].Disposed);
        Assert.True(a[1].Beats >= 1);
        Assert.False(Assert.Single(_loops.Named("bus:plc-b")).Disposed);
    }

    [Fact]
    public async Task ApplyAsync_PollPeriodChanged_ReadAtTheNewCadence()
    {
        await StartAsync(Options());
        await _sinks.WaitAsync(() => _sinks.Of("level").Count == 1);
        var fast = TimeSpan.FromSeconds(1);

        await Service.ApplyAsync(Options(o => o.ModbusSensors[0] = Sensor("level", "plc-a", 1, 0) with { Poll = fast }));
        await _sinks.WaitAsync(() => _sinks.Of("level").Count == 2);
        for (var i = 1; i <= 3; i++)
        {
            await AdvanceAsync(fast, "plc-a");
            await _sinks.WaitAsync(() => _sinks.Of("level").Count == 2 + i);
        }

        var times = _sinks.Of("level").Skip(1).Select(r => r.Time).ToList();
        Assert.Equal([Start, Start + fast, Start + (fast * 2), Start + (fast * 3)], times);

        // Still good throughout: the change raised no fault and the stale watch follows the new period.
        Assert.Empty(_sinks.EventsOf(StationEventTypes.SensorFault));
        Assert.All(_sinks.Of("level"), r => Assert.Equal(Quality.Good, r.Quality));
    }

    [Fact]
    public async Task ApplyAsync_SensorRemoved_ItsReadingsStopTheOthersGoOn()
    {
        await StartAsync(Options());
        await _sinks.WaitAsync(() => _sinks.Of("discharge").Count == 1 && _sinks.Of("level").Count == 1);

        var changes = await Service.ApplyAsync(Options(o => o.ModbusSensors.RemoveAll(s => s.Id == "discharge")));
        Assert.Equal(["discharge"], changes.Removed);
        await _sinks.WaitAsync(() => _sinks.Of("level").Count == 2);
        for (var i = 1; i <= 2; i++)
        {
            // Past the three periods that would make it stale: a removed sensor says nothing at all.
            await AdvanceAsync(Period * 2);
            await _sinks.WaitAsync(() => _sinks.Of("level").Count == 2 + i);
        }

        Assert.Single(_sinks.Of("discharge"));
        Assert.DoesNotContain(Service.Sensors(), s => s.SensorId == "discharge");
        Assert.Contains(Service.Sensors(), s => s.SensorId == "level" && s.Quality == Quality.Good);
    }

    [Fact]
    public async Task ApplyAsync_RainCounterAcrossReloads_NeitherFalseNorLostRain()
    {
        var rain = Sensor("rain-total", "plc-b", 1, 1, ModbusTable.Input) with { Kind = ModbusSensorKind.RainTotal, Scale = 0.2 };
        var slave = _plcB.Map.Slave(1);
        slave.SetRegister(ModbusTable.Input, 1, 1000);
        await StartAsync(Options(o => o.ModbusSensors.Add(rain)));
        await _sinks.WaitAsync(() => _sinks.Of("rain-total").Count == 1);

        // 10 counts fall; the bus restarts for a new sensor, the counter's own settings stay: its baseline stays.
        slave.SetRegister(ModbusTable.Input, 1, 1010);
        await Service.ApplyAsync(Options(o => o.ModbusSensors.AddRange([rain, Sensor("humidity", "plc-b", 1, 0, ModbusTable.Input)])));
        await _sinks.WaitAsync(() => _sinks.Of("rain-total").Count == 2);

        // A new scale on the same register: the count goes on, the new scale applies to what falls next.
        await Service.ApplyAsync(Options(o => o.ModbusSensors.AddRange([rain with { Scale = 0.5 }, Sensor("humidity", "plc-b", 1, 0, ModbusTable.Input)])));
        await _sinks.WaitAsync(() => _sinks.Of("rain-total").Count == 3);
        slave.SetRegister(ModbusTable.Input, 1, 1014);
        await AdvanceAsync(Period);
        await _sinks.WaitAsync(() => _sinks.Of("rain-total").Count == 4);

        Assert.Equal([0.0, 2.0, 0.0, 2.0], _sinks.Of("rain-total").Select(r => Math.Round(r.Value, 9)));
        Assert.Empty(_sinks.EventsOf(StationEventTypes.CounterReset));

        // The counter moves to another register (a replaced logger): a new baseline, said in an event, no burst.
        slave.SetRegister(ModbusTable.Input, 2, 60000);
        var moved = rain with { Scale = 0.5, Address = 2 };
        var changes = await Service.ApplyAsync(Options(o => o.ModbusSensors.AddRange([moved, Sensor("humidity", "plc-b", 1, 0, ModbusTable.Input)])));
        await _sinks.WaitAsync(() => _sinks.Of("rain-total").Count == 5);

        Assert.Equal(["rain-total"], changes.CounterBaselines);
        Assert.Equal(0.0, _sinks.Of("rain-total")[4].Value);
        var reset = Assert.Single(_sinks.EventsOf(StationEventTypes.CounterReset));
        Assert.Equal("reconfigured", reset.Data!["reason"]);
        Assert.Equal("rain-total", reset.Source);
    }

    [Fact]
    public async Task ApplyAsync_TippingBucketMovedToAnotherLine_OldLineReleasedNewOneCounts()
    {
        await StartAsync(Options(o => o.TippingBuckets.Add(new TippingBucketOptions { Id = "rain-gauge", Pin = 17, Mode = PinMode.InputPullUp, MmPerTip = 0.2 })));
        var driver = _gpio.SimulatedDriver!;
        Tip(driver, 17);
        await _sinks.WaitAsync(() => _sinks.Of("rain-gauge").Count == 1);

        await Service.ApplyAsync(Options(o => o.TippingBuckets.Add(new TippingBucketOptions { Id = "rain-gauge", Pin = 18, Mode = PinMode.InputPullUp, MmPerTip = 0.5 })));

        Assert.False(_gpio.Controller.IsPinOpen(17));
        Assert.True(_gpio.Controller.IsPinOpen(18));
        Tip(driver, 17);
        Tip(driver, 18);
        await _sinks.WaitAsync(() => _sinks.Of("rain-gauge").Count == 2);
        Assert.Equal([0.2, 0.5], _sinks.Of("rain-gauge").Select(r => r.Value));
    }

    [Fact]
    public async Task ApplyAsync_LineHeldByARelay_ThrowsAndTheOldSensorsRunOn()
    {
        await StartAsync(Options(o => o.DigitalInputs.Add(new DigitalInputOptions { Id = "flood-switch", Pin = 27, Mode = PinMode.InputPullUp })));
        await _sinks.WaitAsync(() => _sinks.Of("level").Count == 1 && _sinks.Of("flood-switch").Count == 1);
        var before = Service.Options;
        var busA = Service.Bus("plc-a");
        _gpio.Controller.OpenPin(5, PinMode.Output);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Service.ApplyAsync(Options(o =>
        {
            o.ModbusSensors[0] = Sensor("level", "plc-a", 1, 0) with { Scale = 0.01 };
            o.DigitalInputs.Add(new DigitalInputOptions { Id = "door", Pin = 5, Mode = PinMode.InputPullUp });
        })));

        Assert.Contains("GPIO line 5", error.Message, StringComparison.Ordinal);
        Assert.Same(before, Service.Options);
        Assert.Same(busA, Service.Bus("plc-a"));
        Assert.DoesNotContain(Service.Sensors(), s => s.SensorId == "door");
        await AdvanceAsync(Period);
        await _sinks.WaitAsync(() => _sinks.Of("level").Count == 2);
        Assert.All(_sinks.Of("level"), r => Assert.Equal(250, r.Value));
        Assert.True(_gpio.Controller.IsPinOpen(27));
    }

    [Fact]
    public async Task ApplyAsync_OptionsTheirOwnChecksRefuse_ThrowsAndTheOldSensorsRunOn()
    {
        await StartAsync(Options());
        await _sinks.WaitAsync(() => _sinks.Of("level").Count == 1);
        var before = Service.Options;
        var busA = Service.Bus("plc-a");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Service.ApplyAsync(Options(o =>
            o.ModbusSensors[0] = Sensor("level", "plc-a", 1, 0) with { Poll = TimeSpan.Zero })));

        Assert.Equal("sensor level: poll: must be longer than 0; sensors and buses left as they were", error.Message);
        Assert.Same(before, Service.Options);
        Assert.Same(busA, Service.Bus("plc-a"));
        await AdvanceAsync(Period);
        await _sinks.WaitAsync(() => _sinks.Of("level").Count == 2);
    }

    [Fact]
    public async Task ApplyAsync_Ina219ScaleChanged_LoopReplacedAndItsHeartbeatHandedOver()
    {
        var battery = new Ina219Options { Id = "battery", Bus = 1, Address = 0x40, Poll = TimeSpan.FromSeconds(60) };
        await StartAsync(Options(o => o.Ina219Sensors.Add(battery)), _ => new SimulatedIna219(1, 0x40) { BusVolts = 12.6 });
        await _sinks.WaitAsync(() => _sinks.Of("battery").Count == 1);

        await Service.ApplyAsync(Options(o => o.Ina219Sensors.Add(battery with { Scale = 2 })));
        await _sinks.WaitAsync(() => _sinks.Of("battery").Count == 2);

        Assert.Equal([12.6, 25.2], _sinks.Of("battery").Select(r => Math.Round(r.Value, 6)));
        var beats = _loops.Named("ina219:battery");
        Assert.Equal(2, beats.Count);
        Assert.True(beats[0].Disposed);
        Assert.False(beats[1].Disposed);
        Assert.False(Assert.Single(_loops.Named("bus:plc-b")).Disposed);
    }

    private static void Tip(SimulatedGpioDriver driver, int pin)
    {
        driver.SetInput(pin, PinValue.Low);
        driver.SetInput(pin, PinValue.High);
    }

    private async Task StartAsync(AcquisitionOptions options, Func<System.Device.I2c.I2cConnectionSettings, System.Device.I2c.I2cDevice>? openI2c = null)
    {
        _service = new AcquisitionService(options, new AcquisitionDevices { Gpio = _gpio.Controller, Loops = _loops, OpenI2c = openI2c }, _sinks, _sinks, _time);
        await _service.StartAsync(CancellationToken.None);
        await _service.Started.WaitAsync(Wait);
    }

    // Moves the clock once every bus loop (or those named) is asleep with its timer set against the time before
    // the move. Only name buses whose every sensor is due at each move, or the wait for their next sleep never ends.
    private async Task AdvanceAsync(TimeSpan by, params string[] only)
    {
        foreach (var bus in Service.Buses.Where(b => only.Length == 0 || only.Contains(b.Id)))
        {
            await bus.WhenAsleepAsync(_asleepAt.GetValueOrDefault(bus)).WaitAsync(Wait);
            _asleepAt[bus] = bus.Sleeps;
        }

        _time.Advance(by);
    }

    /// <summary>Two buses: level and discharge on plc-a slave 1, temp on plc-b slave 1; everything every 5 s.</summary>
    private AcquisitionOptions Options(Action<AcquisitionOptions>? edit = null)
    {
        var options = new AcquisitionOptions
        {
            Buses =
            {
                new ModbusBusOptions { Id = "plc-a", Tcp = new TcpBusOptions("127.0.0.1", _portA), Timeout = TimeSpan.FromSeconds(5), Retries = 0 },
                new ModbusBusOptions { Id = "plc-b", Tcp = new TcpBusOptions("127.0.0.1", _portB), Timeout = TimeSpan.FromSeconds(5), Retries = 0 },
            },
            ModbusSensors =
            {
                Sensor("level", "plc-a", 1, 0),
                Sensor("discharge", "plc-a", 1, 1),
                Sensor("temp", "plc-b", 1, 0, ModbusTable.Input),
            },
        };
        edit?.Invoke(options);
        return options;
    }

    private static ModbusSensorOptions Sensor(string id, string bus, byte slave, ushort address, ModbusTable table = ModbusTable.Holding) =>
        new() { Id = id, Bus = bus, Slave = slave, Address = address, Table = table, Poll = Period };

    private sealed class RecordingLoops : ILoopMonitor
    {
        private readonly List<Heartbeat> _registered = [];

        public IReadOnlyList<Heartbeat> Named(string name)
        {
            lock (_registered)
            {
                return [.. _registered.Where(h => h.Name == name)];
            }
        }

        public ILoopHeartbeat Register(string name, TimeSpan maxSilence)
        {
            var heartbeat = new Heartbeat(name);
            lock (_registered)
            {
                if (_registered.Exists(h => h.Name == name && !h.Disposed))
                {
                    // As the station's watchdog does: one live heartbeat per name.
                    throw new InvalidOperationException($"A loop named '{name}' is already registered.");
                }

                _registered.Add(heartbeat);
            }

            return heartbeat;
        }

        public sealed class Heartbeat(string name) : ILoopHeartbeat
        {
            private int _beats;
            private volatile bool _disposed;

            public string Name { get; } = name;

            public int Beats => Volatile.Read(ref _beats);

            public bool Disposed => _disposed;

            public void Beat() => Interlocked.Increment(ref _beats);

            public void Dispose() => _disposed = true;
        }
    }
}
