using System.Device.Gpio;
using EdgeGateway.Acquisition.Buses;
using EdgeGateway.Acquisition.History;
using EdgeGateway.Core.Events;
using EdgeGateway.Core.Monitoring;
using EdgeGateway.Core.Readings;
using EdgeGateway.Hardware.Gpio;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Acquisition.Tests;

public sealed class AcquisitionServiceTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 7, 1, 1, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(Start);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Restart_DuringStorm_LastDayOfRainRestoredFromHistory()
    {
        var options = new AcquisitionOptions
        {
            TippingBuckets = { new TippingBucketOptions { Id = "rain-gauge", Pin = 17, Mode = PinMode.InputPullUp, MmPerTip = 0.5 } },
            History = new HistoryOptions { Path = _dir.File("history.db") },
        };

        // First run: three hours of storm, a tip every 20 s (90 mm/h).
        var sinks = new RecordingSinks();
        using (var gpio = GpioControllerFactory.Create(new GpioHardwareOptions(true), _time))
        using (var history = new ReadingHistory(options.History, _time))
        using (var service = new AcquisitionService(options, new AcquisitionDevices { Gpio = gpio.Controller }, sinks, sinks, _time, history))
        {
            await service.StartAsync(CancellationToken.None);
            for (var i = 0; i < 540; i++)
            {
                _time.SetUtcNow(Start + TimeSpan.FromSeconds(20 * i));
                gpio.SimulatedDriver!.SetInput(17, PinValue.Low);
                _time.Advance(TimeSpan.FromMilliseconds(100));
                gpio.SimulatedDriver.SetInput(17, PinValue.High);
            }

            await service.StopAsync(CancellationToken.None);
        }

        Assert.Equal(540, sinks.Of("rain-gauge").Count);

        // The service restarts a minute later; the rule engine rebuilds its windows from the history.
        _time.Advance(TimeSpan.FromMinutes(1));
        using var reopened = new ReadingHistory(options.History, _time);
        var restored = reopened.LoadRecent(TimeSpan.FromHours(24));

        Assert.Equal(270.0, restored["rain-gauge"].Sum(r => r.Value));
        Assert.Equal(sinks.Of("rain-gauge"), restored["rain-gauge"]);
    }

    [Fact]
    public async Task Start_Ina219MissingOnTheBus_FaultReadingAndEventOthersRun()
    {
        var bus = Enumerable.Range(1, 50).First(n => !File.Exists($"/dev/i2c-{n}"));
        var options = new AcquisitionOptions
        {
            Ina219Sensors = { new Ina219Options { Id = "battery", Bus = bus, Poll = TimeSpan.FromSeconds(60) } },
            DigitalInputs = { new DigitalInputOptions { Id = "alarm-button", Pin = 22, Mode = PinMode.InputPullUp, ActiveLow = true } },
        };
        var sinks = new RecordingSinks();
        using var gpio = GpioControllerFactory.Create(new GpioHardwareOptions(true), _time);
        using var service = new AcquisitionService(options, new AcquisitionDevices { Gpio = gpio.Controller }, sinks, sinks, _time);

        await service.StartAsync(CancellationToken.None);
        await sinks.WaitAsync(() => sinks.Of("battery").Count == 1);
        await service.StopAsync(CancellationToken.None);

        var battery = Assert.Single(sinks.Of("battery"));
        Assert.Equal(Quality.CommFault, battery.Quality);
        var fault = Assert.Single(sinks.EventsOf(StationEventTypes.SensorFault));
        Assert.Equal("battery", fault.Source);
        Assert.Contains($"/dev/i2c-{bus}", fault.Message, StringComparison.Ordinal);
        Assert.Equal(Quality.Good, Assert.Single(sinks.Of("alarm-button")).Quality);
        Assert.Contains(service.Sensors(), s => s.SensorId == "battery" && s.Quality == Quality.CommFault && s.Reason is not null);
    }

    [Fact]
    public async Task Start_SerialPortMissing_BusSensorsFaultedStationRuns()
    {
        var port = "/dev/ttyEDGEGW-NOPE";
        Assert.False(File.Exists(port));
        var options = new AcquisitionOptions
        {
            Buses = { new ModbusBusOptions { Id = "rs485", Rtu = new RtuBusOptions(port), Backoff = new SchedulerTuning(TimeSpan.FromSeconds(20), TimeSpan.FromMinutes(1)) } },
            ModbusSensors =
            {
                new ModbusSensorOptions { Id = "river-level", Bus = "rs485", Slave = 1, Type = Modbus.RegisterType.Float32, Poll = TimeSpan.FromSeconds(5) },
                new ModbusSensorOptions { Id = "ghost", Bus = "nowhere", Poll = TimeSpan.FromSeconds(5) },
            },
            TippingBuckets = { new TippingBucketOptions { Id = "rain-gauge", Pin = 17, Mode = PinMode.InputPullUp, MmPerTip = 0.5 } },
        };
        var sinks = new RecordingSinks();
        var loops = new RecordingLoops();
        using var gpio = GpioControllerFactory.Create(new GpioHardwareOptions(true), _time);
        using var service = new AcquisitionService(options, new AcquisitionDevices { Gpio = gpio.Controller, Loops = loops }, sinks, sinks, _time);

        await service.StartAsync(CancellationToken.None);
        await sinks.WaitAsync(() => sinks.Of("river-level").Count == 1);
        gpio.SimulatedDriver!.SetInput(17, PinValue.Low);

        // The bus rests after the failed open; each poll still reports the fault, without touching the port.
        await service.Bus("rs485")!.WhenAsleepAsync(0).WaitAsync(TimeSpan.FromSeconds(30));
        _time.Advance(TimeSpan.FromSeconds(5));
        await sinks.WaitAsync(() => sinks.Of("river-level").Count == 2);
        await service.StopAsync(CancellationToken.None);

        Assert.All(sinks.Of("river-level"), r => Assert.Equal(Quality.CommFault, r.Quality));
        var fault = sinks.EventsOf(StationEventTypes.SensorFault).Single(e => e.Source == "river-level");
        Assert.Contains($"cannot open {port}", fault.Message, StringComparison.Ordinal);
        Assert.Contains("next try in", service.Sensors().Single(s => s.SensorId == "river-level").Reason, StringComparison.Ordinal);
        Assert.Equal(Quality.CommFault, Assert.Single(sinks.Of("ghost")).Quality);
        Assert.Contains("bus nowhere is not configured", sinks.EventsOf(StationEventTypes.SensorFault).Single(e => e.Source == "ghost").Message, StringComparison.Ordinal);
        Assert.Equal(0.5, Assert.Single(sinks.Of("rain-gauge")).Value);

        // The bus loop reported to the watchdog while it ran, and signed off when it stopped.
        var bus = Assert.Single(loops.Registered, l => l.Name == "bus:rs485");
        Assert.True(bus.Beats >= 2, $"{bus.Beats} beats");
        Assert.True(bus.Disposed);
    }

    private sealed class RecordingLoops : ILoopMonitor
    {
        public List<Heartbeat> Registered { get; } = [];

        public ILoopHeartbeat Register(string name, TimeSpan maxSilence)
        {
            var heartbeat = new Heartbeat(name);
            lock (Registered)
            {
                Registered.Add(heartbeat);
            }

            return heartbeat;
        }

        public sealed class Heartbeat(string name) : ILoopHeartbeat
        {
            private int _beats;

            public string Name { get; } = name;

            public int Beats => Volatile.Read(ref _beats);

            public bool Disposed { get; private set; }

            public void Beat() => Interlocked.Increment(ref _beats);

            public void Dispose() => Disposed = true;
        }
    }

    [Fact]
    public async Task Start_NoGpioChipComposed_GpioSensorsFaultNotThrow()
    {
        var options = new AcquisitionOptions
        {
            TippingBuckets = { new TippingBucketOptions { Id = "rain-gauge", Pin = 17, Mode = PinMode.InputPullUp } },
            DigitalInputs = { new DigitalInputOptions { Id = "flood-switch", Pin = 27, Mode = PinMode.InputPullUp } },
        };
        var sinks = new RecordingSinks();
        using var service = new AcquisitionService(options, new AcquisitionDevices(), sinks, sinks, _time);

        await service.StartAsync(CancellationToken.None);
        await service.StopAsync(CancellationToken.None);

        Assert.Equal(["rain-gauge", "flood-switch"], sinks.Readings.Select(r => r.SensorId));
        Assert.All(sinks.Readings, r => Assert.Equal(Quality.CommFault, r.Quality));
    }
}
