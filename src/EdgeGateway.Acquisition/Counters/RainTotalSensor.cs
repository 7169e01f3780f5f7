using System.Globalization;
using EdgeGateway.Acquisition.Internal;
using EdgeGateway.Acquisition.Sensors;
using EdgeGateway.Core.Events;
using EdgeGateway.Modbus.Decoding;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Acquisition.Counters;

/// <summary>
/// A <c>rain-total</c> sensor: each good count read from the logger becomes a reading whose value is the rain in
/// mm since the previous reading (see <see cref="RainCounter"/> for increases, wraps and resets). The valid range
/// applies to the counter's engineering value; a count outside it is out-of-range and does not move the counter.
/// A reset raises a <c>counter-reset</c> event. The raw count travels with the reading into the history, so after
/// a restart the counter continues from it and the rain that fell meanwhile is not lost.
/// </summary>
internal sealed class RainTotalSensor
{
    private readonly Lock _gate = new();
    private readonly SensorChannel _channel;
    private readonly RainCounter _counter;
    private readonly double _scale;
    private readonly double _offset;
    private readonly ReadingOutput _output;
    private readonly ILogger _logger;

    public RainTotalSensor(SensorChannel channel, RainCounter counter, double scale, double offset, ReadingOutput output, ILogger logger)
    {
        _channel = channel;
        _counter = counter;
        _scale = scale;
        _offset = offset;
        _output = output;
        _logger = logger;
    }

    public SensorChannel Channel => _channel;

    /// <summary>Takes a raw count read at <paramref name="time"/>.</summary>
    public void Accept(DateTimeOffset time, double raw)
    {
        var total = RegisterDecoder.Scale(raw, _scale, _offset);
        lock (_gate)
        {
            if (!_channel.Accepts(total))
            {
                // Out of range: published as such, and the counter keeps its last good count.
                _channel.PublishValue(time, double.NaN, rangeSubject: total);
                return;
            }

            var step = _counter.Next(raw, time);
            switch (step.Change)
            {
                case CounterChange.Reset:
                    Log.CounterReset(_logger, _channel.Id, step.PreviousRaw!.Value, raw);
                    _output.Publish(new StationEvent(
                        StationEventTypes.CounterReset,
                        time,
                        _channel.Id,
                        string.Create(CultureInfo.InvariantCulture, $"{_channel.Id}: counter went from {step.PreviousRaw} to {raw}; counting {step.RainMm} mm since the reset"),
                        new Dictionary<string, object?> { ["previous"] = step.PreviousRaw, ["current"] = raw, ["rainMm"] = step.RainMm }));
                    break;
                case CounterChange.Wrap:
                    Log.CounterWrapped(_logger, _channel.Id, step.PreviousRaw!.Value, raw);
                    break;
                default:
                    break;
            }

            _channel.PublishValue(time, step.RainMm, raw: raw, rangeSubject: total);
        }
    }
}
