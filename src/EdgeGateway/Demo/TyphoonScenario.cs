using System.Globalization;

namespace EdgeGateway.Demo;

/// <summary>
/// A typhoon passing a mountain village over eight hours, for the example station's gauges: outer rain
/// bands, an eyewall downpour, and the river answering an hour later. Deterministic (same seed, same
/// storm) so the demo and the tests know what the rules must do with it:
/// <list type="bullet">
/// <item>the tipping bucket (0.5 mm per tip) sees about 110 mm; its 1 h sum passes 20, 30 and 50 mm
/// between 2 h and 3 h, its 3 h sum passes 50 and 80 mm;</item>
/// <item>the rain logger's counter (0.1 mm counts) sees slightly more rain, a few minutes later;</item>
/// <item>the river rises from 1.6 m through 2.8, 3.2 and 3.8 m to about 4.1 m at 3.5 h (more than 0.5 m
/// in an hour on the way), then falls below 2.0 m by 6.5 h;</item>
/// <item>rain stops at about 5 h, so every rule is back to none well before the end, even with
/// <c>clearAfter: 30m</c> stepping down one level at a time.</item>
/// </list>
/// Values are tabulated once per simulated second.
/// </summary>
public sealed class TyphoonScenario
{
    /// <summary>How long the storm lasts in simulated time.</summary>
    public static readonly TimeSpan DefaultDuration = TimeSpan.FromHours(8);

    public const double MmPerTip = 0.5;

    /// <summary>The rain logger's counter unit: raw counts x 0.1 = mm.</summary>
    public const double CounterScale = 0.1;

    /// <summary>Where the logger's counter stands when the storm begins (it has been counting for years).</summary>
    public const uint CounterStart = 184_263;

    public const double RiverBase = 1.6;

    // Rain bands: (centre in hours, peak rate in mm/h, half-width sigma in hours).
    private static readonly (double Centre, double Peak, double Sigma)[] Bands =
    [
        (1.2, 10, 0.35),
        (2.1, 38, 0.30),
        (2.75, 66, 0.25),
        (3.4, 30, 0.30),
        (4.1, 8, 0.30),
    ];

    // River: a linear reservoir fed by the rain 24 minutes upstream, emptying with a 66-minute constant.
    private const double RiverLagHours = 0.4;
    private const double RiverTimeConstantHours = 1.1;
    private const double RiverGain = 0.061;
    private const double RiverNoise = 0.01;
    private const double LoggerFactor = 1.05;
    private const int LoggerLagSeconds = 240;

    private readonly double[] _river;
    private readonly uint[] _counter;
    private readonly TimeSpan[] _tips;

    private TyphoonScenario(DateTimeOffset start, TimeSpan duration, int seed)
    {
        Start = start;
        Duration = duration;
        var seconds = (int)Math.Ceiling(duration.TotalSeconds);
        _river = new double[seconds + 1];
        _counter = new uint[seconds + 1];
        var tips = new List<TimeSpan>();
        var random = new Random(seed);

        double bucket = 0, logger = 0, reservoir = 0, noise = 0;
        var lagSeconds = (int)(RiverLagHours * 3600);
        for (var t = 0; t <= seconds; t++)
        {
            if (t > 0)
            {
                bucket += RainRate(t) / 3600;
                logger += LoggerFactor * RainRate(t - LoggerLagSeconds) / 3600;
                reservoir += (RainRate(t - lagSeconds) - reservoir) / (RiverTimeConstantHours * 3600);
            }

            // The bucket tips each time another 0.5 mm has collected in it.
            while (bucket >= (tips.Count + 1) * MmPerTip)
            {
                tips.Add(TimeSpan.FromSeconds(t));
            }

            // Surface ripple on the radar: a slow random walk held within +-1 cm.
            noise = Math.Clamp(noise + ((random.NextDouble() - 0.5) * 0.004), -RiverNoise, RiverNoise);
            _river[t] = Math.Round(RiverBase + (RiverGain * reservoir) + noise, 3);
            _counter[t] = CounterStart + (uint)Math.Floor(logger / CounterScale);
        }

        _tips = [.. tips];
    }

    public DateTimeOffset Start { get; }

    public TimeSpan Duration { get; }

    /// <summary>When the bucket on GPIO line 17 tips, as offsets from <see cref="Start"/>.</summary>
    public IReadOnlyList<TimeSpan> Tips => _tips;

    /// <summary>Creates the storm beginning at <paramref name="start"/>.</summary>
    public static TyphoonScenario Create(DateTimeOffset start, TimeSpan? duration = null, int seed = 2026) =>
        new(start, duration ?? DefaultDuration, seed);

    /// <summary>Rainfall rate at the tipping bucket, mm/h, <paramref name="second"/> seconds into the storm.</summary>
    public static double RainRate(double second)
    {
        if (second <= 0)
        {
            return 0;
        }

        var hours = second / 3600;
        var rate = 0.0;
        foreach (var (centre, peak, sigma) in Bands)
        {
            var z = (hours - centre) / sigma;
            rate += peak * Math.Exp(-0.5 * z * z);
        }

        // Drizzle ahead of the bands, ending as the storm moves off.
        if (hours < 4.8)
        {
            rate += Math.Min(1.0, hours / 0.3);
        }

        return rate;
    }

    /// <summary>River level, m, at <paramref name="offset"/> into the storm (held after its end).</summary>
    public double RiverLevel(TimeSpan offset) => _river[Index(offset)];

    /// <summary>The rain logger's raw counter (0.1 mm counts) at <paramref name="offset"/>.</summary>
    public uint RainCounterRaw(TimeSpan offset) => _counter[Index(offset)];

    /// <summary>Rainfall the tipping bucket counted in (offset - window, offset].</summary>
    public double BucketRain(TimeSpan offset, TimeSpan window)
    {
        var count = _tips.Count(t => t <= offset && t > offset - window);
        return count * MmPerTip;
    }

    /// <summary>
    /// The storm as recorded readings (<c>time,sensor,value</c>, the format <c>edgegw replay</c> reads):
    /// the river every <paramref name="riverPoll"/>, the logger counter every <paramref name="counterPoll"/>
    /// (as the counter in mm), and one 0.5 mm reading per tip.
    /// </summary>
    public void WriteReplayCsv(TextWriter writer, TimeSpan riverPoll, TimeSpan counterPoll,
        string riverSensor = "river-level", string counterSensor = "rain-counter", string gaugeSensor = "rain-gauge")
    {
        ArgumentNullException.ThrowIfNull(writer);
        var rows = new List<(TimeSpan At, int Order, string Line)>();
        for (var t = TimeSpan.Zero; t <= Duration; t += riverPoll)
        {
            rows.Add((t, 0, Row(t, riverSensor, RiverLevel(t))));
        }

        for (var t = TimeSpan.Zero; t <= Duration; t += counterPoll)
        {
            rows.Add((t, 1, Row(t, counterSensor, Math.Round(RainCounterRaw(t) * CounterScale, 1))));
        }

        rows.AddRange(_tips.Select(t => (t, 2, Row(t, gaugeSensor, MmPerTip))));

        writer.WriteLine("time,sensor,value");
        foreach (var row in rows.OrderBy(r => r.At).ThenBy(r => r.Order))
        {
            writer.WriteLine(row.Line);
        }
    }

    /// <summary>
    /// The river radar and the rain logger as a Modbus simulator scenario
    /// (<c>time,slave,table,address,type,order,value</c>): the river level as a float32 (ABCD) holding
    /// register pair, the logger's raw counter as a uint32 (CDAB) input register pair, one row every
    /// <paramref name="step"/> of storm time when the value changed. Times are divided by
    /// <paramref name="speed"/>, for a simulator playing the storm faster than real time.
    /// </summary>
    public void WriteModbusScenario(TextWriter writer, TimeSpan step, double speed = 1,
        int riverSlave = 1, int riverAddress = 0, int loggerSlave = 2, int loggerAddress = 10)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteLine("time,slave,table,address,type,order,value");
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# typhoon of {Duration.TotalHours:0.#} h at {speed:0.##}x: river level (m) and rain logger counter (0.1 mm counts)"));
        double? river = null;
        uint? counter = null;
        for (var t = TimeSpan.Zero; t <= Duration; t += step)
        {
            var at = (long)Math.Round(t.TotalMilliseconds / speed);
            var level = RiverLevel(t);
            if (level != river)
            {
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{at}ms,{riverSlave},holding,{riverAddress},float32,ABCD,{level:R}"));
                river = level;
            }

            var count = RainCounterRaw(t);
            if (count != counter)
            {
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{at}ms,{loggerSlave},input,{loggerAddress},uint32,CDAB,{count}"));
                counter = count;
            }
        }
    }

    private string Row(TimeSpan offset, string sensor, double value) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{(Start + offset).UtcDateTime:yyyy-MM-ddTHH:mm:ssZ},{sensor},{value:R}");

    private int Index(TimeSpan offset) => (int)Math.Clamp(Math.Floor(offset.TotalSeconds), 0, _river.Length - 1);
}
