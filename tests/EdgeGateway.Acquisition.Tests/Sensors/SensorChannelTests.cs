using EdgeGateway.Acquisition.Sensors;
using EdgeGateway.Core.Events;
using EdgeGateway.Core.Readings;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Acquisition.Tests.Sensors;

public sealed class SensorChannelTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 7, 1, 3, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly RecordingSinks _sinks = new();
    private readonly SensorChannel _channel;

    public SensorChannelTests()
    {
        _channel = new SensorChannel("river-level", Poll, new ValueRange(0, 15), _sinks.Output(), _time, NullLogger.Instance);
    }

    public void Dispose() => _channel.Dispose();

    [Fact]
    public void PublishValue_InsideRange_GoodWithItsOwnTime()
    {
        var taken = Start + TimeSpan.FromMilliseconds(1234);
        _channel.PublishValue(taken, 2.5);

        var r = Assert.Single(_sinks.Readings);
        Assert.Equal(new Reading("river-level", taken, 2.5, Quality.Good), r);
        Assert.Empty(_sinks.Events);
    }

    [Fact]
    public void PublishValue_OutsideRange_OutOfRangeNaNAndFaultEvent()
    {
        _channel.PublishValue(Start, 2.5);
        _channel.PublishValue(Start + Poll, 17.3);

        var r = _sinks.Readings[^1];
        Assert.Equal(Quality.OutOfRange, r.Quality);
        Assert.True(double.IsNaN(r.Value));
        var e = Assert.Single(_sinks.Events);
        Assert.Equal(StationEventTypes.SensorFault, e.Type);
        Assert.Equal("river-level", e.Source);
        Assert.Equal("out-of-range", e.Data!["quality"]);
        Assert.Equal("good", e.Data["previous"]);
        Assert.Equal(17.3, e.Data["value"]);
        Assert.Contains("[0, 15]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PublishFault_ThenGood_FaultAndRecoveredOncePerChange()
    {
        _channel.PublishValue(Start, 2.5);
        _channel.PublishFault(Start + Poll, "no response within 300 ms");
        _channel.PublishFault(Start + (Poll * 2), "no response within 300 ms");
        _channel.PublishValue(Start + (Poll * 3), 2.6);
        _channel.PublishValue(Start + (Poll * 4), 2.7);

        Assert.Equal(
            [StationEventTypes.SensorFault, StationEventTypes.SensorRecovered],
            _sinks.Events.Select(e => e.Type));
        var recovered = _sinks.Events[1];
        Assert.Equal(Start + (Poll * 3), recovered.Time);
        Assert.Equal(10.0, recovered.Data!["faultSeconds"]);
        Assert.All(_sinks.Readings.Where(r => r.Quality != Quality.Good), r => Assert.True(double.IsNaN(r.Value)));
    }

    [Fact]
    public void PublishFault_FirstReadingIsFault_FaultEventWithNoPrevious()
    {
        _channel.PublishFault(Start, "connection refused");

        var e = Assert.Single(_sinks.Events);
        Assert.Equal(StationEventTypes.SensorFault, e.Type);
        Assert.Null(e.Data!["previous"]);
        Assert.Equal("connection refused", e.Data["reason"]);
    }

    [Fact]
    public void Silence_ThreePollPeriods_StaleReadingThenEveryPeriod()
    {
        _channel.PublishValue(Start, 2.5);

        _time.Advance((Poll * 3) - TimeSpan.FromMilliseconds(1));
        Assert.Single(_sinks.Readings);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        var stale = _sinks.Readings[^1];
        Assert.Equal(Quality.Stale, stale.Quality);
        Assert.True(double.IsNaN(stale.Value));
        Assert.Equal(Start + (Poll * 3), stale.Time);

        _time.Advance(Poll);
        _time.Advance(Poll);
        Assert.Equal(4, _sinks.Readings.Count);
        Assert.Equal(Start + (Poll * 5), _sinks.Readings[^1].Time);

        // One event for the change to stale, not one per stale reading.
        var e = Assert.Single(_sinks.Events);
        Assert.Equal("stale", e.Data!["quality"]);

        _channel.PublishValue(_time.GetUtcNow(), 2.4);
        Assert.Equal(StationEventTypes.SensorRecovered, _sinks.Events[^1].Type);
    }

    [Fact]
    public void Silence_NeverRead_StaleAfterThreePeriodsFromStart()
    {
        _time.Advance(Poll * 3);

        Assert.Equal(Quality.Stale, Assert.Single(_sinks.Readings).Quality);
    }

    [Fact]
    public void Silence_ReadingsKeepComing_NeverStale()
    {
        for (var i = 0; i < 10; i++)
        {
            _time.Advance(Poll);
            _channel.PublishFault(_time.GetUtcNow(), "timeout");
        }

        Assert.All(_sinks.Readings, r => Assert.Equal(Quality.CommFault, r.Quality));
        Assert.Single(_sinks.Events);
    }
}
