using EdgeGateway.Modbus;

namespace EdgeGateway.Acquisition.Counters;

/// <summary>How a counter reading relates to the one before it.</summary>
public enum CounterChange
{
    /// <summary>The first reading with nothing before it: the starting point, no rain.</summary>
    Baseline,

    /// <summary>The counter went up (or held): the difference is rain.</summary>
    Increase,

    /// <summary>The counter passed its type's maximum and started again from zero.</summary>
    Wrap,

    /// <summary>The counter went down for another reason (logger reset, replaced, power loss): counts from zero.</summary>
    Reset,
}

/// <summary>The rain a counter reading adds, and why.</summary>
public readonly record struct CounterStep(double RainMm, CounterChange Change, double? PreviousRaw);

/// <summary>
/// Turns the readings of a cumulative rain counter (a <c>rain-total</c> sensor) into rainfall: the rain since the
/// previous reading, never negative.
/// <para>
/// The rule, on raw counts (before scale), for a counter of an integer type with modulus M (65 536 for 16-bit,
/// 2^32 for 32-bit, 2^64 for 64-bit; signed types are read as their unsigned bit pattern):
/// </para>
/// <list type="bullet">
/// <item>current ≥ previous: an increase of current − previous.</item>
/// <item>current &lt; previous, and the wrapped increase (M − previous) + current is no more than the most rain
/// that can plausibly have fallen since the previous reading: a wrap, adding the wrapped increase.</item>
/// <item>otherwise: a reset; the current value is the rain since the reset (the counter restarted at zero).</item>
/// </list>
/// <para>
/// "Plausible" is <see cref="MaxPlausibleRateMmPerHour"/> (300 mm/h, about the world record for one hour) over the
/// time since the previous reading, counted for at most one hour and at least one count. A wrap therefore needs
/// the counter to have been within that much of its maximum and to come back small. Whichever way an ambiguous
/// case is judged, the error is bounded by the rain that could physically have fallen in the interval; a reset
/// far from the maximum can never be taken for a huge wrap. Counters of floating-point types do not wrap: any
/// decrease is a reset.
/// </para>
/// </summary>
public sealed class RainCounter
{
    /// <summary>The heaviest rain a wrap is allowed to imply (mm per hour).</summary>
    public const double MaxPlausibleRateMmPerHour = 300;

    private static readonly TimeSpan MaxPlausibleWindow = TimeSpan.FromHours(1);

    private readonly double? _modulus;
    private readonly double _mmPerCount;
    private double? _previous;
    private DateTimeOffset _previousTime;

    /// <param name="scale">Millimetres per count (the sensor's <c>scale</c>).</param>
    public RainCounter(RegisterType type, double scale)
    {
        _modulus = type switch
        {
            RegisterType.UInt16 or RegisterType.Int16 => 65536d,
            RegisterType.UInt32 or RegisterType.Int32 => 4294967296d,
            RegisterType.UInt64 or RegisterType.Int64 => 18446744073709551616d,
            _ => null,
        };
        _mmPerCount = Math.Abs(scale);
        if (_mmPerCount == 0 || !double.IsFinite(_mmPerCount))
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "a rain counter needs a non-zero scale (mm per count)");
        }
    }

    /// <summary>The last raw count accepted, or null before the first.</summary>
    public double? PreviousRaw => _previous;

    /// <summary>When <see cref="PreviousRaw"/> was read, or null before the first.</summary>
    public DateTimeOffset? PreviousTime => _previous is null ? null : _previousTime;

    /// <summary>Continues from a count kept in the history (after a restart), so rain that fell meanwhile counts.</summary>
    public void Restore(double raw, DateTimeOffset time)
    {
        _previous = Normalise(raw);
        _previousTime = time;
    }

    /// <summary>Takes the raw count read at <paramref name="time"/> and returns the rain it adds.</summary>
    public CounterStep Next(double raw, DateTimeOffset time)
    {
        var current = Normalise(raw);
        var previous = _previous;
        var previousTime = _previousTime;
        _previous = current;
        _previousTime = time;
        if (previous is not { } p)
        {
            return new CounterStep(0, CounterChange.Baseline, null);
        }

        if (current >= p)
        {
            return new CounterStep(Mm(current - p), CounterChange.Increase, p);
        }

        if (_modulus is { } m)
        {
            var wrapped = m - p + current;
            var elapsed = time - previousTime;
            if (elapsed > MaxPlausibleWindow)
            {
                elapsed = MaxPlausibleWindow;
            }

            var plausibleCounts = Math.Max(1, MaxPlausibleRateMmPerHour * Math.Max(0, elapsed.TotalHours) / _mmPerCount);
            if (wrapped <= plausibleCounts)
            {
                return new CounterStep(Mm(wrapped), CounterChange.Wrap, p);
            }
        }

        return new CounterStep(Mm(Math.Max(0, current)), CounterChange.Reset, p);
    }

    private double Normalise(double raw) => raw < 0 && _modulus is { } m ? raw + m : raw;

    // Counts are whole; rounding drops the binary noise of e.g. 3 * 0.1.
    private double Mm(double counts) => Math.Round(counts * _mmPerCount, 9);
}
