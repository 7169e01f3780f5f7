using System.Globalization;
using EdgeGateway.Acquisition.Internal;
using EdgeGateway.Core.Events;
using EdgeGateway.Core.Readings;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Acquisition.Sensors;

/// <summary>What status shows for one sensor.</summary>
/// <param name="Last">The latest reading of any quality (null before the first).</param>
/// <param name="LastGood">The latest good reading (null before the first).</param>
/// <param name="Reason">Why the sensor is not good, or null.</param>
/// <param name="Counter">A rain-total sensor's last good counter in engineering units (what <c>modbus read</c> shows), or null.</param>
public sealed record SensorState(string SensorId, Reading? Last, Reading? LastGood, string? Reason, double? Counter = null)
{
    public Quality? Quality => Last?.Quality;
}

/// <summary>
/// One sensor's output: judges each value (good or out-of-range), stamps faults, watches for silence (stale)
/// and raises sensor-fault / sensor-recovered events on every change of quality. A reading that is not good
/// carries NaN, so a lost sensor never repeats its last value as if fresh.
/// <para>
/// Stale: when the sensor has said nothing at all (no reading of any quality) for three poll periods, a Stale
/// reading is published, and again every poll period while the silence lasts. A comm-fault or out-of-range
/// reading is itself a fresh statement about the sensor, so it keeps its own quality.
/// </para>
/// </summary>
internal sealed class SensorChannel : IDisposable
{
    public const int StalePeriods = 3;

    private readonly Lock _gate = new();
    private readonly ReadingOutput _output;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private ValueRange? _valid;
    private TimeSpan? _poll;
    private ITimer? _staleTimer;
    private Reading? _last;
    private Reading? _lastGood;
    private string? _reason;
    private double? _counter;
    private DateTimeOffset? _faultSince;
    private bool _disposed;

    /// <param name="poll">The sensor's period; null for event-driven sensors (a rain gauge is silent in dry weather).</param>
    public SensorChannel(string id, TimeSpan? poll, ValueRange? valid, ReadingOutput output, TimeProvider time, ILogger logger)
    {
        Id = id;
        _poll = poll;
        _valid = valid;
        _output = output;
        _time = time;
        _logger = logger;
        if (poll is { } p)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(p, TimeSpan.Zero, nameof(poll));
            _staleTimer = time.CreateTimer(_ => OnSilence(), null, p * StalePeriods, Timeout.InfiniteTimeSpan);
        }
    }

    public string Id { get; }

    public SensorState State
    {
        get
        {
            lock (_gate)
            {
                return new SensorState(Id, _last, _lastGood, _reason, _counter);
            }
        }
    }

    /// <summary>True when <paramref name="value"/> is a number inside the valid range.</summary>
    public bool Accepts(double value)
    {
        lock (_gate)
        {
            return double.IsFinite(value) && (_valid is not { } range || range.Contains(value));
        }
    }

    /// <summary>
    /// Takes a new period and valid range (a reload) and keeps everything else: the last readings, the quality
    /// and how long a fault has lasted. The sensor gets three of its new periods before it counts as stale.
    /// </summary>
    public void Reconfigure(TimeSpan? poll, ValueRange? valid)
    {
        if (poll is { } p)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(p, TimeSpan.Zero, nameof(poll));
        }

        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _valid = valid;
            _poll = poll;
            if (poll is { } period)
            {
                _staleTimer ??= _time.CreateTimer(_ => OnSilence(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _staleTimer.Change(period * StalePeriods, Timeout.InfiniteTimeSpan);
            }
            else
            {
                _staleTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>
    /// Publishes a value read at <paramref name="time"/>: good when inside the valid range, else out-of-range.
    /// </summary>
    /// <param name="raw">The raw counter of a rain-total sensor, kept in the history so a restart continues from it.</param>
    /// <param name="rangeSubject">What the valid range is checked against when not the value itself (a rain counter's total).</param>
    public Reading PublishValue(DateTimeOffset time, double value, double? raw = null, double? rangeSubject = null)
    {
        var subject = rangeSubject ?? value;
        if (Accepts(subject))
        {
            if (raw is not null)
            {
                lock (_gate)
                {
                    _counter = subject;
                }
            }

            return Emit(new Reading(Id, time, value, Quality.Good), null, raw, null);
        }

        ValueRange? valid;
        lock (_gate)
        {
            valid = _valid;
        }

        var text = double.IsFinite(subject) && valid is { } r
            ? string.Create(CultureInfo.InvariantCulture, $"value {subject} outside the valid range [{r.Min}, {r.Max}]")
            : string.Create(CultureInfo.InvariantCulture, $"value {subject} is not a number");
        return Emit(new Reading(Id, time, double.NaN, Quality.OutOfRange), text, null, subject);
    }

    /// <summary>Publishes a failed read (no answer, bad frame, absent device) at <paramref name="time"/>.</summary>
    public Reading PublishFault(DateTimeOffset time, string reason, Quality quality = Quality.CommFault)
    {
        if (quality == Quality.Good)
        {
            throw new ArgumentOutOfRangeException(nameof(quality), "a fault cannot be good");
        }

        return Emit(new Reading(Id, time, double.NaN, quality), reason, null, null);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _staleTimer?.Dispose();
        }
    }

    private void OnSilence()
    {
        TimeSpan poll;
        lock (_gate)
        {
            if (_poll is not { } p)
            {
                return;
            }

            poll = p;
        }

        var reason = string.Create(CultureInfo.InvariantCulture, $"no reading for {(poll * StalePeriods).TotalSeconds:0.###} s (3 poll periods)");
        Emit(new Reading(Id, _time.GetUtcNow(), double.NaN, Quality.Stale), reason, null, null, silence: true);
    }

    private Reading Emit(Reading reading, string? reason, double? raw, double? rejected, bool silence = false)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return reading;
            }

            var previous = _last?.Quality;
            _last = reading;
            _reason = reason;
            if (reading.IsGood)
            {
                _lastGood = reading;
            }

            if (previous != reading.Quality)
            {
                RaiseChange(previous, reading, reason, rejected);
            }

            _output.Publish(reading, raw);

            // After a reading the sensor has three periods to say something; while silent, a Stale reading each period.
            if (_poll is { } period)
            {
                _staleTimer?.Change(silence ? period : period * StalePeriods, Timeout.InfiniteTimeSpan);
            }
            return reading;
        }
    }

    private void RaiseChange(Quality? previous, Reading reading, string? reason, double? rejected)
    {
        if (reading.IsGood)
        {
            if (previous is null)
            {
                return;
            }

            var duration = _faultSince is { } since ? reading.Time - since : TimeSpan.Zero;
            _faultSince = null;
            Log.SensorRecovered(_logger, Id, duration);
            _output.Publish(new StationEvent(
                StationEventTypes.SensorRecovered,
                reading.Time,
                Id,
                string.Create(CultureInfo.InvariantCulture, $"{Id} good again after {duration.TotalSeconds:0.#} s ({QualityText.Of(previous.Value)})"),
                new Dictionary<string, object?>
                {
                    ["quality"] = QualityText.Of(Quality.Good),
                    ["previous"] = QualityText.Of(previous.Value),
                    ["faultSeconds"] = Math.Round(duration.TotalSeconds, 3),
                }));
            return;
        }

        _faultSince ??= reading.Time;
        var quality = QualityText.Of(reading.Quality);
        Log.SensorFault(_logger, Id, quality, reason ?? quality);
        var data = new Dictionary<string, object?>
        {
            ["quality"] = quality,
            ["previous"] = previous is { } p ? QualityText.Of(p) : null,
            ["reason"] = reason,
        };
        if (rejected is { } value && double.IsFinite(value))
        {
            data["value"] = value;
        }

        _output.Publish(new StationEvent(StationEventTypes.SensorFault, reading.Time, Id, $"{Id}: {reason ?? quality}", data));
    }
}
