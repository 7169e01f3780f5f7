using EdgeGateway.Core.Readings;

namespace EdgeGateway.Core.Rules.Internal;

/// <summary>A sensor's state as the rules see it.</summary>
internal sealed class SensorRuntime(string id)
{
    public string Id { get; } = id;
    public RuleRuntime[] Rules { get; set; } = [];
    public bool Faulty { get; set; }
    public long LastTicks { get; set; } = long.MinValue;
}

/// <summary>What one evaluation decided: a level change, with the measure and the threshold involved.</summary>
internal readonly record struct LevelStep(int From, int To, double? Value, double? Threshold);

/// <summary>
/// One rule's live state: its window, level, condition runs and clear timer. Times are UTC ticks;
/// <see cref="NoTime"/> marks a timer that is not running. Not thread-safe: the engine serialises calls.
/// </summary>
internal sealed class RuleRuntime
{
    public const long NoTime = long.MinValue;

    // Rainfall sums are kept exactly, in millionths of a unit: float running sums drift over a
    // year of adds and subtracts, and a drift of 1e-12 decides a reading that equals a threshold.
    private const double MicroPerUnit = 1_000_000d;

    private readonly double[] _threshold;      // by level index; NaN where the rule has no threshold
    private readonly double[] _clearLine;      // by level index: threshold - hysteresis
    private readonly int[] _levels;            // the rule's level indexes, ascending
    private readonly long _holdTicks;
    private readonly long _clearTicks;
    private readonly long _windowTicks;
    private readonly bool _digitalActive;
    private readonly SampleQueue<long>? _sum;
    private readonly SampleQueue<double>? _rise;
    private long _sumMicro;
    private double _latest;
    private bool _hasLatest;

    public RuleRuntime(RuleDefinition definition, SensorRuntime sensor, int levelCount)
    {
        Definition = definition;
        Sensor = sensor;
        _threshold = new double[levelCount];
        Array.Fill(_threshold, double.NaN);
        _clearLine = new double[levelCount];
        Array.Fill(_clearLine, double.NaN);
        _levels = new int[definition.Thresholds.Count];
        for (var i = 0; i < definition.Thresholds.Count; i++)
        {
            var t = definition.Thresholds[i];
            if (t.Level >= levelCount)
            {
                throw new ArgumentException($"rule '{definition.Id}' names level index {t.Level}; the station has {levelCount - 1} levels");
            }

            _threshold[t.Level] = t.Value;
            _clearLine[t.Level] = ClearLine(t.Value, definition.Hysteresis);
            _levels[i] = t.Level;
        }

        ConditionSince = new long[levelCount];
        Array.Fill(ConditionSince, NoTime);
        _holdTicks = definition.Hold.Ticks;
        _clearTicks = definition.ClearAfter.Ticks;
        _windowTicks = definition.Measure.Window.Ticks;
        _digitalActive = definition.When == DigitalState.Active;
        switch (definition.Measure.Kind)
        {
            case RuleMeasureKind.Sum:
                _sum = new SampleQueue<long>();
                break;
            case RuleMeasureKind.Rise:
                _rise = new SampleQueue<double>();
                break;
        }
    }

    public RuleDefinition Definition { get; }
    public SensorRuntime Sensor { get; }
    public int Level { get; set; }

    /// <summary>By level index: when the current unbroken run of "measure &gt;= threshold" began.</summary>
    public long[] ConditionSince { get; }

    /// <summary>When the measure went below the current level's threshold - hysteresis (pending step-down).</summary>
    public long ClearSince { get; set; } = NoTime;

    /// <summary>The next instant this rule must be evaluated without a new reading (long.MaxValue: none).</summary>
    public long NextDue { get; set; } = long.MaxValue;

    /// <summary>The measure at the last evaluation (NaN before there is one).</summary>
    public double LastMeasure { get; private set; } = double.NaN;

    /// <summary>Batch stamp: the rule's sensor had a reading in the batch being applied.</summary>
    public long TouchedBatch { get; set; } = -1;

    public IReadOnlyList<int> Levels => _levels;

    public double? ThresholdOf(int level) =>
        Definition.IsDigital || level <= 0 || level >= _threshold.Length || double.IsNaN(_threshold[level])
            ? null
            : _threshold[level];

    /// <summary>
    /// Takes over the live state of the rule this one replaces (a reload): its level always; with
    /// <paramref name="window"/> (same sensor and measure) also the window contents, the latest value, the condition
    /// runs of the levels both have and the clear timer. Without it the window is rebuilt from history by the caller
    /// and the timers start afresh: the level stays until the normal semantics move it.
    /// </summary>
    public void Inherit(RuleRuntime previous, bool window)
    {
        Level = Math.Min(previous.Level, ConditionSince.Length - 1);
        if (!window)
        {
            return;
        }

        CopyQueue(previous._sum, _sum);
        CopyQueue(previous._rise, _rise);
        _sumMicro = previous._sumMicro;
        _latest = previous._latest;
        _hasLatest = previous._hasLatest;
        LastMeasure = previous.LastMeasure;
        foreach (var k in _levels)
        {
            if (k < previous.ConditionSince.Length)
            {
                ConditionSince[k] = previous.ConditionSince[k];
            }
        }

        ClearSince = Definition.Latch ? NoTime : previous.ClearSince;

        static void CopyQueue<T>(SampleQueue<T>? from, SampleQueue<T>? to)
            where T : struct
        {
            if (from is null || to is null)
            {
                return;
            }

            foreach (var sample in from.Items())
            {
                to.PushBack(sample);
            }
        }
    }

    /// <summary>Adds a good reading taken at <paramref name="ticks"/> to the window (or as the latest value).</summary>
    public void Add(long ticks, double value)
    {
        if (_sum is not null)
        {
            var micro = (long)Math.Round(value * MicroPerUnit);
            if (micro != 0)
            {
                _sum.PushBack(new Sample<long>(ticks, micro));
                _sumMicro += micro;
            }
        }
        else if (_rise is not null)
        {
            _rise.PushBack(new Sample<double>(ticks, value));
        }

        _latest = value;
        _hasLatest = true;
    }

    /// <summary>Drops what has left the window (t - W, t]: a reading exactly W old has left.</summary>
    public void ExpireTo(long t)
    {
        var cutoff = t - _windowTicks;
        if (_sum is not null)
        {
            while (_sum.Count > 0 && _sum.Front.Ticks <= cutoff)
            {
                _sumMicro -= _sum.PopFront().Payload;
            }
        }
        else if (_rise is not null)
        {
            while (_rise.Count > 0 && _rise.Front.Ticks <= cutoff)
            {
                _rise.PopFront();
            }
        }
    }

    /// <summary>The measure as of the last <see cref="ExpireTo"/>; false when there is no data to judge by.</summary>
    public bool TryMeasure(out double measure)
    {
        if (_sum is not null)
        {
            // No tip in the window is a fact (no rain), not missing data.
            measure = _sumMicro / MicroPerUnit;
            return true;
        }

        if (_rise is not null)
        {
            if (_rise.Count == 0)
            {
                measure = double.NaN;
                return false;
            }

            measure = ValueText.Difference(_rise.Back.Payload, _rise.Front.Payload);
            return true;
        }

        measure = _latest;
        return _hasLatest;
    }

    /// <summary>Sets <see cref="LastMeasure"/> from the window as it stands, without judging anything.</summary>
    public void ShowMeasure()
    {
        if (!Sensor.Faulty && TryMeasure(out var m))
        {
            LastMeasure = m;
        }
    }

    /// <summary>The highest level whose threshold the measure reaches (&gt;=), 0 if none.</summary>
    public int ConditionLevel(double measure)
    {
        if (Definition.IsDigital)
        {
            return (measure >= RuleDefinition.DigitalThreshold) == _digitalActive ? _levels[0] : 0;
        }

        for (var i = _levels.Length - 1; i >= 0; i--)
        {
            if (measure >= _threshold[_levels[i]])
            {
                return _levels[i];
            }
        }

        return 0;
    }

    /// <summary>The highest level whose condition has not ended: measure &gt;= threshold - hysteresis.</summary>
    public int SupportedLevel(double measure)
    {
        if (Definition.IsDigital)
        {
            return ConditionLevel(measure);
        }

        for (var i = _levels.Length - 1; i >= 0; i--)
        {
            if (measure >= _clearLine[_levels[i]])
            {
                return _levels[i];
            }
        }

        return 0;
    }

    /// <summary>
    /// threshold - hysteresis as the technician wrote them: 3.2 - 0.05 is 3.15, where binary floating point
    /// gives 3.1500000000000004 and would end the level at a reading of exactly 3.15.
    /// </summary>
    internal static double ClearLine(double threshold, double hysteresis)
    {
        if (hysteresis == 0)
        {
            return threshold;
        }

        try
        {
            return (double)((decimal)threshold - (decimal)hysteresis);
        }
        catch (OverflowException)
        {
            return threshold - hysteresis;
        }
    }

    /// <summary>
    /// Evaluates the rule at <paramref name="t"/> (after its readings at t were added). Returns whether any
    /// persisted state (level, condition runs, clear timer) changed, and the level step if there was one.
    /// </summary>
    public bool Evaluate(long t, out LevelStep? step)
    {
        step = null;
        var changed = false;
        if (Sensor.Faulty)
        {
            // Frozen: the level stays, a pending clear was cancelled when the fault began.
            NextDue = long.MaxValue;
            return false;
        }

        ExpireTo(t);
        if (!TryMeasure(out var m))
        {
            // Missing data never clears an alarm.
            changed = CancelClear();
            NextDue = long.MaxValue;
            return changed;
        }

        LastMeasure = m;
        var condition = ConditionLevel(m);
        foreach (var k in _levels)
        {
            if (k <= condition)
            {
                if (ConditionSince[k] == NoTime)
                {
                    ConditionSince[k] = t;
                    changed = true;
                }
            }
            else if (ConditionSince[k] != NoTime)
            {
                ConditionSince[k] = NoTime;
                changed = true;
            }
        }

        // Rise straight to the highest level whose condition has held for `hold`.
        for (var i = _levels.Length - 1; i >= 0; i--)
        {
            var k = _levels[i];
            if (k <= Level)
            {
                break;
            }

            if (ConditionSince[k] != NoTime && t - ConditionSince[k] >= _holdTicks)
            {
                step = new LevelStep(Level, k, m, ThresholdOf(k));
                Level = k;
                ClearSince = NoTime;
                NextDue = ComputeNextDue();
                return true;
            }
        }

        if (Level > 0 && !Definition.Latch)
        {
            var supported = SupportedLevel(m);
            if (supported < Level)
            {
                if (ClearSince == NoTime)
                {
                    ClearSince = t;
                    changed = true;
                }

                if (t - ClearSince >= _clearTicks)
                {
                    step = new LevelStep(Level, supported, m, ThresholdOf(Level));
                    Level = supported;
                    ClearSince = NoTime;
                    changed = true;
                }
            }
            else
            {
                changed |= CancelClear();
            }
        }
        else
        {
            changed |= CancelClear();
        }

        NextDue = ComputeNextDue();
        return changed;
    }

    /// <summary>An operator clear: drops to the level the measure supports now, ignoring clearAfter and latch.</summary>
    public LevelStep? Clear(long t)
    {
        if (Level == 0)
        {
            return null;
        }

        int target;
        double? value = null;
        if (Sensor.Faulty)
        {
            // The operator takes responsibility for a rule whose sensor cannot tell.
            target = 0;
            value = double.IsNaN(LastMeasure) ? null : LastMeasure;
        }
        else
        {
            ExpireTo(t);
            if (TryMeasure(out var m))
            {
                target = SupportedLevel(m);
                value = m;
            }
            else
            {
                target = 0;
            }
        }

        CancelClear();
        if (target >= Level)
        {
            return null;
        }

        var step = new LevelStep(Level, target, value, ThresholdOf(Level));
        Level = target;
        NextDue = Sensor.Faulty ? long.MaxValue : ComputeNextDue();
        return step;
    }

    public bool CancelClear()
    {
        if (ClearSince == NoTime)
        {
            return false;
        }

        ClearSince = NoTime;
        return true;
    }

    public long ComputeNextDue()
    {
        var due = long.MaxValue;
        if (_sum is { Count: > 0 })
        {
            due = _sum.Front.Ticks + _windowTicks;
        }
        else if (_rise is { Count: > 0 })
        {
            due = _rise.Front.Ticks + _windowTicks;
        }

        foreach (var k in _levels)
        {
            if (k > Level && ConditionSince[k] != NoTime)
            {
                due = Math.Min(due, ConditionSince[k] + _holdTicks);
            }
        }

        if (ClearSince != NoTime)
        {
            due = Math.Min(due, ClearSince + _clearTicks);
        }

        return due;
    }
}
