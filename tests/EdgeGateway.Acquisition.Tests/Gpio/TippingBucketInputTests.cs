using System.Device.Gpio;
using EdgeGateway.Acquisition.Gpio;
using EdgeGateway.Acquisition.Sensors;
using EdgeGateway.Core.Events;
using EdgeGateway.Core.Readings;
using EdgeGateway.Hardware.Gpio;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Acquisition.Tests.Gpio;

public sealed class TippingBucketInputTests : IDisposable
{
    private const int Pin = 17;
    private static readonly DateTimeOffset Start = new(2026, 7, 1, 3, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly RecordingSinks _sinks = new();
    private readonly GpioSetup _gpio;
    private readonly SensorChannel _channel;
    private readonly TippingBucketInput _gauge;

    public TippingBucketInputTests()
    {
        _gpio = GpioControllerFactory.Create(new GpioHardwareOptions(Simulated: true), _time);
        _channel = new SensorChannel("rain-gauge", null, null, _sinks.Output(), _time, NullLogger.Instance);
        var options = new TippingBucketOptions { Id = "rain-gauge", Pin = Pin, Edge = PinEventTypes.Falling, Mode = PinMode.InputPullUp, Debounce = TimeSpan.FromMilliseconds(25), MmPerTip = 0.5 };
        _gauge = new TippingBucketInput(options, _gpio.Controller, _channel, _time, NullLogger.Instance);
        _gauge.Start();
    }

    private SimulatedGpioDriver Line => _gpio.SimulatedDriver!;

    public void Dispose()
    {
        _gauge.Dispose();
        _channel.Dispose();
        _gpio.Dispose();
    }

    [Fact]
    public void Edge_BounceTrainInsideDebounce_CountsOnce()
    {
        // A reed switch closing: the line falls, then chatters for ~8 ms before it settles low.
        Tip(bounces: 4, bounceStep: TimeSpan.FromMilliseconds(2));

        var readings = _sinks.Of("rain-gauge");
        var tip = Assert.Single(readings);
        Assert.Equal(0.5, tip.Value);
        Assert.Equal(Quality.Good, tip.Quality);
        Assert.Equal(Start, tip.Time);
        Assert.Equal(4, _gauge.Bounces);
    }

    [Fact]
    public void Edge_SecondTipAfterDebounce_CountsAgainWithItsOwnTime()
    {
        Tip(bounces: 3, bounceStep: TimeSpan.FromMilliseconds(3));
        _time.SetUtcNow(Start + TimeSpan.FromMilliseconds(40));
        Tip(bounces: 3, bounceStep: TimeSpan.FromMilliseconds(3));

        var readings = _sinks.Of("rain-gauge");
        Assert.Equal(2, readings.Count);
        Assert.Equal(Start, readings[0].Time);
        Assert.Equal(Start + TimeSpan.FromMilliseconds(40), readings[1].Time);
    }

    [Fact]
    public void Edge_TenTipsPerSecondForOneMinute_NoTipLost()
    {
        // A cloudburst: a tip every 100 ms, each with a bounce train of 5 edges over 10 ms.
        var tipStarts = new List<DateTimeOffset>();
        for (var i = 0; i < 600; i++)
        {
            var t0 = Start + TimeSpan.FromMilliseconds(100 * i);
            _time.SetUtcNow(t0);
            tipStarts.Add(t0);
            Tip(bounces: 5, bounceStep: TimeSpan.FromMilliseconds(2));
        }

        var readings = _sinks.Of("rain-gauge");
        Assert.Equal(600, readings.Count);
        Assert.Equal(600, _gauge.Tips);
        Assert.Equal(600 * 5, _gauge.Bounces);
        Assert.Equal(300.0, readings.Sum(r => r.Value), 9);
        Assert.Equal(tipStarts, readings.Select(r => r.Time));
    }

    [Fact]
    public void Edge_RisingEdgeOfRelease_IsNotATip()
    {
        Line.SetInput(Pin, PinValue.Low);
        _time.Advance(TimeSpan.FromMilliseconds(200));
        Line.SetInput(Pin, PinValue.High);
        _time.Advance(TimeSpan.FromMilliseconds(200));

        Assert.Single(_sinks.Of("rain-gauge"));
    }

    [Fact]
    public void Start_LineOfUnavailableChip_CommFaultWithReason()
    {
        using var broken = GpioControllerFactory.Create(new GpioHardwareOptions(false, "gpiochip7"), _time);
        using var channel = new SensorChannel("rain-gauge-2", null, null, _sinks.Output(), _time, NullLogger.Instance);
        using var gauge = new TippingBucketInput(new TippingBucketOptions { Id = "rain-gauge-2", Pin = 5, Mode = PinMode.InputPullUp }, broken.Controller, channel, _time, NullLogger.Instance);

        gauge.Start();

        var reading = Assert.Single(_sinks.Of("rain-gauge-2"));
        Assert.Equal(Quality.CommFault, reading.Quality);
        Assert.True(double.IsNaN(reading.Value));
        var fault = Assert.Single(_sinks.EventsOf(StationEventTypes.SensorFault));
        Assert.Contains("GPIO line 5", fault.Message, StringComparison.Ordinal);
        Assert.Contains("gpiochip7", fault.Message, StringComparison.Ordinal);
    }

    // The switch closes (falling edge) and bounces: each bounce is a rise and a fall a couple of ms apart.
    private void Tip(int bounces, TimeSpan bounceStep)
    {
        Line.SetInput(Pin, PinValue.Low);
        for (var b = 0; b < bounces; b++)
        {
            _time.Advance(bounceStep / 2);
            Line.SetInput(Pin, PinValue.High);
            _time.Advance(bounceStep / 2);
            Line.SetInput(Pin, PinValue.Low);
        }

        _time.Advance(TimeSpan.FromMilliseconds(30));
        Line.SetInput(Pin, PinValue.High);
    }
}
