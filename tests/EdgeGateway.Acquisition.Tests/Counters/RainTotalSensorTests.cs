using EdgeGateway.Acquisition.Counters;
using EdgeGateway.Acquisition.Sensors;
using EdgeGateway.Core.Events;
using EdgeGateway.Core.Readings;
using EdgeGateway.Modbus;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Acquisition.Tests.Counters;

public sealed class RainTotalSensorTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 7, 1, 3, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly RecordingSinks _sinks = new();
    private readonly SensorChannel _channel;
    private readonly RainTotalSensor _sensor;

    public RainTotalSensorTests()
    {
        var output = _sinks.Output();
        _channel = new SensorChannel("rain-counter", Poll, new ValueRange(0, 100000), output, _time, NullLogger.Instance);
        _sensor = new RainTotalSensor(_channel, new RainCounter(RegisterType.UInt32, 0.1), 0.1, 0, output, NullLogger.Instance);
    }

    public void Dispose() => _channel.Dispose();

    [Fact]
    public void Accept_Increments_RainfallReadings()
    {
        _sensor.Accept(Start, 1000);
        _sensor.Accept(Start + Poll, 1005);
        _sensor.Accept(Start + (Poll * 2), 1005);

        Assert.Equal([0, 0.5, 0], _sinks.Readings.Select(r => r.Value));
        Assert.All(_sinks.Readings, r => Assert.Equal(Quality.Good, r.Quality));
        Assert.Empty(_sinks.Events);
    }

    [Fact]
    public void Accept_Decrease_CounterResetEventAndNewValueCountsAsRain()
    {
        _sensor.Accept(Start, 1000);
        _sensor.Accept(Start + Poll, 3);

        Assert.Equal(0.3, _sinks.Readings[^1].Value);
        var e = Assert.Single(_sinks.EventsOf(StationEventTypes.CounterReset));
        Assert.Equal("rain-counter", e.Source);
        Assert.Equal(1000d, e.Data!["previous"]);
        Assert.Equal(3d, e.Data["current"]);
        Assert.Equal(Start + Poll, e.Time);
    }

    [Fact]
    public void Accept_TotalOutsideValidRange_OutOfRangeAndCounterKept()
    {
        _sensor.Accept(Start, 1000);
        _sensor.Accept(Start + Poll, 2_000_000);     // 200 000 mm: outside [0, 100000]
        _sensor.Accept(Start + (Poll * 2), 1002);

        Assert.Equal(Quality.OutOfRange, _sinks.Readings[1].Quality);
        Assert.Equal(0.2, _sinks.Readings[2].Value);
        Assert.Empty(_sinks.EventsOf(StationEventTypes.CounterReset));
    }
}
