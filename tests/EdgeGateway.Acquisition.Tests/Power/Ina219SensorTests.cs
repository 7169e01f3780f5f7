using EdgeGateway.Acquisition.Power;
using EdgeGateway.Acquisition.Sensors;
using EdgeGateway.Core.Events;
using EdgeGateway.Core.Readings;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Acquisition.Tests.Power;

public sealed class Ina219SensorTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 7, 1, 3, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(60);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly RecordingSinks _sinks = new();
    private readonly SensorChannel _channel;

    public Ina219SensorTests()
    {
        _channel = new SensorChannel("battery", Poll, new ValueRange(9, 16), _sinks.Output(), _time, NullLogger.Instance);
    }

    public void Dispose() => _channel.Dispose();

    [Fact]
    public void PollOnce_NoI2cBusOnThisMachine_CommFaultWithClearReasonAndEvent()
    {
        // The real binding path: I2cDevice.Create on a bus whose /dev/i2c-N does not exist.
        var bus = Enumerable.Range(1, 50).First(n => !File.Exists($"/dev/i2c-{n}"));
        using var sensor = new Ina219Sensor(new Ina219Options { Id = "battery", Bus = bus, Address = 0x40, Poll = Poll }, _channel, _time, NullLogger.Instance);

        sensor.PollOnce();
        _time.Advance(Poll);
        sensor.PollOnce();

        Assert.Equal(2, _sinks.Readings.Count);
        Assert.All(_sinks.Readings, r =>
        {
            Assert.Equal(Quality.CommFault, r.Quality);
            Assert.True(double.IsNaN(r.Value));
        });
        var fault = Assert.Single(_sinks.Events);
        Assert.Equal(StationEventTypes.SensorFault, fault.Type);
        Assert.Equal("comm-fault", fault.Data!["quality"]);
        Assert.Contains($"INA219 on I2C bus {bus} at 0x40", fault.Message, StringComparison.Ordinal);
        Assert.Contains($"/dev/i2c-{bus} missing", fault.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PollOnce_DevicePresent_BusVoltageGood()
    {
        var device = new SimulatedIna219(1, 0x40) { BusVolts = 12.6 };
        using var sensor = new Ina219Sensor(new Ina219Options { Id = "battery", Poll = Poll }, _channel, _time, NullLogger.Instance, _ => device);

        sensor.PollOnce();

        var r = Assert.Single(_sinks.Readings);
        Assert.Equal(Quality.Good, r.Quality);
        Assert.Equal(12.6, r.Value, 3);
        Assert.Equal(Start, r.Time);
    }

    [Fact]
    public void PollOnce_NoAck_FaultThenRetriedEachPollAndRecovers()
    {
        var device = new SimulatedIna219(1, 0x41) { BusVolts = 12.0, Present = false };
        var opened = 0;
        using var sensor = new Ina219Sensor(new Ina219Options { Id = "battery", Address = 0x41, Poll = Poll }, _channel, _time, NullLogger.Instance, _ =>
        {
            opened++;
            return device;
        });

        sensor.PollOnce();
        _time.Advance(Poll);
        sensor.PollOnce();
        device.Present = true;
        _time.Advance(Poll);
        sensor.PollOnce();

        Assert.Equal([Quality.CommFault, Quality.CommFault, Quality.Good], _sinks.Readings.Select(r => r.Quality));
        Assert.Equal(3, opened);
        Assert.Contains("no answer at this address", _sinks.Events[0].Message, StringComparison.Ordinal);
        Assert.Equal([StationEventTypes.SensorFault, StationEventTypes.SensorRecovered], _sinks.Events.Select(e => e.Type));
    }

    [Fact]
    public void PollOnce_VoltageOutsideValid_OutOfRange()
    {
        var device = new SimulatedIna219(1, 0x40) { BusVolts = 5.0 };
        using var sensor = new Ina219Sensor(new Ina219Options { Id = "battery", Poll = Poll }, _channel, _time, NullLogger.Instance, _ => device);

        sensor.PollOnce();

        Assert.Equal(Quality.OutOfRange, Assert.Single(_sinks.Readings).Quality);
    }

    [Fact]
    public async Task RunAsync_PeriodicTimer_ReadsEveryPoll()
    {
        var device = new SimulatedIna219(1, 0x40) { BusVolts = 13.1 };
        using var sensor = new Ina219Sensor(new Ina219Options { Id = "battery", Poll = Poll }, _channel, _time, NullLogger.Instance, _ => device);
        using var cts = new CancellationTokenSource();

        var run = sensor.RunAsync(cts.Token);
        await _sinks.WaitAsync(() => _sinks.Readings.Count == 1);
        for (var i = 2; i <= 4; i++)
        {
            var expected = i;
            _time.Advance(Poll);
            await _sinks.WaitAsync(() => _sinks.Readings.Count == expected);
        }

        await cts.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal([Start, Start + Poll, Start + (Poll * 2), Start + (Poll * 3)], _sinks.Readings.Select(r => r.Time));
    }
}
