using System.Device.Gpio;
using EdgeGateway.Acquisition.Gpio;
using EdgeGateway.Acquisition.Sensors;
using EdgeGateway.Core.Readings;
using EdgeGateway.Hardware.Gpio;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Acquisition.Tests.Gpio;

public sealed class DigitalInputTests : IDisposable
{
    private const int Pin = 27;
    private static readonly DateTimeOffset Start = new(2026, 7, 1, 3, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Republish = TimeSpan.FromSeconds(60);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly RecordingSinks _sinks = new();
    private readonly GpioSetup _gpio;
    private readonly SensorChannel _channel;
    private readonly DigitalInput _input;

    public DigitalInputTests()
    {
        _gpio = GpioControllerFactory.Create(new GpioHardwareOptions(Simulated: true), _time);
        _channel = new SensorChannel("flood-switch", Republish, null, _sinks.Output(), _time, NullLogger.Instance);
        var options = new DigitalInputOptions { Id = "flood-switch", Pin = Pin, Mode = PinMode.InputPullUp, ActiveLow = true, Debounce = Debounce, Poll = Republish };
        _input = new DigitalInput(options, _gpio.Controller, _channel, _time, NullLogger.Instance);
        _input.Start();
    }

    private SimulatedGpioDriver Line => _gpio.SimulatedDriver!;

    public void Dispose()
    {
        _input.Dispose();
        _channel.Dispose();
        _gpio.Dispose();
    }

    [Fact]
    public void Start_PulledUpActiveLow_PublishesInactive()
    {
        var reading = Assert.Single(_sinks.Of("flood-switch"));
        Assert.Equal(0, reading.Value);
        Assert.Equal(Start, reading.Time);
        Assert.False(_input.Active);
    }

    [Fact]
    public void Edge_LowHeldPastDebounce_PublishesActiveOnce()
    {
        // The float closes with some chatter, then holds.
        Line.SetInput(Pin, PinValue.Low);
        _time.Advance(TimeSpan.FromMilliseconds(5));
        Line.SetInput(Pin, PinValue.High);
        _time.Advance(TimeSpan.FromMilliseconds(5));
        Line.SetInput(Pin, PinValue.Low);
        _time.Advance(Debounce - TimeSpan.FromMilliseconds(1));
        Assert.Single(_sinks.Of("flood-switch"));

        _time.Advance(TimeSpan.FromMilliseconds(1));

        var readings = _sinks.Of("flood-switch");
        Assert.Equal(2, readings.Count);
        Assert.Equal(1, readings[1].Value);
        Assert.Equal(Start + TimeSpan.FromMilliseconds(10) + Debounce, readings[1].Time);
        Assert.True(_input.Active);
    }

    [Fact]
    public void Edge_GlitchShorterThanDebounce_NoChange()
    {
        Line.SetInput(Pin, PinValue.Low);
        _time.Advance(TimeSpan.FromMilliseconds(50));
        Line.SetInput(Pin, PinValue.High);
        _time.Advance(Debounce * 3);

        Assert.Single(_sinks.Of("flood-switch"));
        Assert.False(_input.Active);
    }

    [Fact]
    public void Poll_NoChange_StateRepublishedEveryPeriod()
    {
        Line.SetInput(Pin, PinValue.Low);
        _time.Advance(Debounce);

        // FakeTimeProvider fires every timer due within one Advance at its end time: step one period at a time.
        _time.Advance(Republish - Debounce);
        _time.Advance(Republish);
        _time.Advance(Republish);

        var readings = _sinks.Of("flood-switch");
        Assert.Equal([Start, Start + Debounce, Start + Republish, Start + (Republish * 2), Start + (Republish * 3)], readings.Select(r => r.Time));
        Assert.Equal([0, 1, 1, 1, 1], readings.Select(r => r.Value));
        Assert.All(readings, r => Assert.Equal(Quality.Good, r.Quality));
        Assert.Equal(Start + (Republish * 3), readings[^1].Time);
    }

    [Fact]
    public void Edge_ReleasedAfterPress_BackToInactive()
    {
        Line.SetInput(Pin, PinValue.Low);
        _time.Advance(Debounce);
        Line.SetInput(Pin, PinValue.High);
        _time.Advance(Debounce);

        Assert.Equal([0, 1, 0], _sinks.Of("flood-switch").Select(r => r.Value));
    }
}
