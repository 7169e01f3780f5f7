using System.Globalization;
using EdgeGateway.Core.Readings;
using EdgeGateway.Sl651;

namespace EdgeGateway.Uplink.Sl651;

/// <summary>
/// The sensors' current values as reports need them: the latest reading of each configured sensor, and for rain
/// sensors the running total and the recent increments (a rain reading is the rainfall since the previous one).
/// </summary>
internal sealed class Sl651Values
{
    // 1F needs the rain since 08:00 local, at most a day; 1A the last hour.
    private static readonly TimeSpan KeepIncrements = TimeSpan.FromHours(25);

    // Three bytes with one decimal: the total wraps past 99999.9 mm as a counter does.
    private const decimal TotalWrap = 100000m;

    private readonly Lock _lock = new();
    private readonly IReadOnlyList<Sl651ElementSource> _elements;
    private readonly TimeZoneInfo _zone;
    private readonly HashSet<string> _sensors = new(StringComparer.Ordinal);
    private readonly HashSet<string> _rainSensors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Reading> _latest = new(StringComparer.Ordinal);
    private readonly Dictionary<string, decimal> _totals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<(DateTimeOffset Time, decimal Mm)>> _increments = new(StringComparer.Ordinal);

    public Sl651Values(IReadOnlyList<Sl651ElementSource> elements, TimeZoneInfo zone, Func<string, string?> stored)
    {
        _elements = elements;
        _zone = zone;
        foreach (var e in elements)
        {
            _sensors.Add(e.Sensor);
            if (e.Source != Sl651Source.Value && _rainSensors.Add(e.Sensor))
            {
                _totals[e.Sensor] = decimal.TryParse(stored(TotalKey(e.Sensor)), NumberStyles.Number, CultureInfo.InvariantCulture, out var t) ? t : 0m;
                _increments[e.Sensor] = new();
            }
        }
    }

    public static string TotalKey(string sensor) => "rain-total:" + sensor;

    public void OnReadings(IReadOnlyList<Reading> readings)
    {
        lock (_lock)
        {
            foreach (var r in readings)
            {
                if (!_sensors.Contains(r.SensorId))
                {
                    continue;
                }

                _latest[r.SensorId] = r;
                if (r.IsGood && _rainSensors.Contains(r.SensorId) && double.IsFinite(r.Value) && r.Value > 0)
                {
                    var mm = (decimal)r.Value;
                    _totals[r.SensorId] = (_totals[r.SensorId] + mm) % TotalWrap;
                    var q = _increments[r.SensorId];
                    q.Enqueue((r.Time, mm));
                    while (q.Count > 0 && q.Peek().Time < r.Time - KeepIncrements)
                    {
                        q.Dequeue();
                    }
                }
            }
        }
    }

    /// <summary>
    /// Rain recorded before this start (the readings history), so that 1A and 1F after a restart hold the rain
    /// of their whole period, not only what fell since. The running total (26) is not touched: it is stored with
    /// each report. Latest values are not taken from the past either: a value sensor waits for a fresh reading.
    /// </summary>
    public void Prime(IEnumerable<Reading> past)
    {
        ArgumentNullException.ThrowIfNull(past);
        lock (_lock)
        {
            foreach (var r in past.Where(r => r.IsGood && _rainSensors.Contains(r.SensorId) && double.IsFinite(r.Value) && r.Value > 0).OrderBy(r => r.Time))
            {
                _increments[r.SensorId].Enqueue((r.Time, (decimal)r.Value));
            }
        }
    }

    /// <summary>
    /// The configured elements observed at <paramref name="observed"/>, and the rain totals to store with the
    /// report. A sensor whose latest reading is not good gives no data, never a stale number; so does a value
    /// sensor with no reading yet. A rain gauge that has not tipped yet has a good total and no rain.
    /// </summary>
    public (List<Sl651Element> Elements, Dictionary<string, string> Stored) Snapshot(DateTimeOffset observed)
    {
        lock (_lock)
        {
            var list = new List<Sl651Element>(_elements.Count);
            foreach (var e in _elements)
            {
                list.Add(Element(e, observed));
            }

            var stored = _totals.ToDictionary(kv => TotalKey(kv.Key), kv => kv.Value.ToString(CultureInfo.InvariantCulture), StringComparer.Ordinal);
            return (list, stored);
        }
    }

    private Sl651Element Element(Sl651ElementSource e, DateTimeOffset observed)
    {
        var hasReading = _latest.TryGetValue(e.Sensor, out var latest);
        if (hasReading ? !latest.IsGood : e.Source == Sl651Source.Value)
        {
            return Sl651Element.NoData(e.Element);
        }

        decimal value;
        switch (e.Source)
        {
            case Sl651Source.RainTotal:
                value = _totals[e.Sensor];
                break;
            case Sl651Source.RainLastHour:
                value = Sum(e.Sensor, observed - TimeSpan.FromHours(1), observed);
                break;
            case Sl651Source.RainToday:
                value = Sum(e.Sensor, HydrologicalDayStart(observed), observed);
                break;
            default:
                if (!double.IsFinite(latest.Value))
                {
                    return Sl651Element.NoData(e.Element);
                }

                value = (decimal)latest.Value;
                break;
        }

        try
        {
            return Sl651Element.Number(e.Element, value);
        }
        catch (Sl651FrameException)
        {
            // A value the identifier's length cannot hold is not a value the centre can use.
            return Sl651Element.NoData(e.Element);
        }
    }

    // Rain in (from, to]: the rule windows' convention, so a tip at hh:00:00 counts in the hour ending then.
    private decimal Sum(string sensor, DateTimeOffset from, DateTimeOffset to) =>
        _increments[sensor].Where(i => i.Time > from && i.Time <= to).Sum(i => i.Mm);

    private DateTimeOffset HydrologicalDayStart(DateTimeOffset observed)
    {
        var local = TimeZoneInfo.ConvertTime(observed, _zone).DateTime;
        var start = local.Date.AddHours(8);
        if (start > local)
        {
            start = start.AddDays(-1);
        }

        return Sl651Clock.ToInstant(start, _zone);
    }
}
