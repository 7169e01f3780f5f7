using System.Device.Gpio;
using EdgeGateway.Acquisition.History;
using EdgeGateway.Acquisition.Tests.Support;
using EdgeGateway.Core.Events;
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
            TippingBuckets = { new TippingBucketOptions { Id = "rain-gauge", Pin = 17, MmPerTip = 0.5 } },
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
            DigitalInputs = { new DigitalInputOptions { Id = "alarm-button", Pin = 22, ActiveLow = true } },
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
}
