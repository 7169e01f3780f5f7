namespace EdgeGateway.Core.Rules;

/// <summary>What a threshold rule compares with its thresholds.</summary>
public enum RuleMeasureKind
{
    /// <summary>The latest good reading.</summary>
    Value,

    /// <summary>The sum of the readings in (t - window, t]: rolling rainfall.</summary>
    Sum,

    /// <summary>The latest value minus the oldest value in (t - window, t].</summary>
    Rise,
}

/// <summary>A measure and, for <see cref="RuleMeasureKind.Sum"/> and <see cref="RuleMeasureKind.Rise"/>, its window.</summary>
public readonly record struct RuleMeasure(RuleMeasureKind Kind, TimeSpan Window)
{
    public static RuleMeasure Value => new(RuleMeasureKind.Value, TimeSpan.Zero);

    public static RuleMeasure Sum(TimeSpan window) => new(RuleMeasureKind.Sum, window);

    public static RuleMeasure Rise(TimeSpan window) => new(RuleMeasureKind.Rise, window);

    /// <summary>Null when the measure can be taken; otherwise why not (a sum or rise needs a window).</summary>
    public string? Problem() => Kind != RuleMeasureKind.Value && Window <= TimeSpan.Zero ? "the window must be longer than 0" : null;

    public override string ToString() => Kind switch
    {
        RuleMeasureKind.Sum => $"sum {Window}",
        RuleMeasureKind.Rise => $"rise {Window}",
        _ => "value",
    };
}

/// <summary>The digital state that raises a digital rule's level.</summary>
public enum DigitalState
{
    /// <summary>A reading of 0.5 or more (acquisition reports an active input as 1, polarity applied).</summary>
    Active,

    /// <summary>A reading below 0.5.</summary>
    Inactive,
}

/// <summary>A level reached when a measure is at or above <see cref="Value"/>.</summary>
public readonly record struct LevelThreshold(int Level, double Value);

/// <summary>
/// One rule, independent of the configuration file: a sensor, a measure and per-level thresholds
/// (or, for a digital input, the state that raises one level), with hysteresis, hold, clearAfter and latch.
/// Level indexes are those of the station's <see cref="Alerting.AlertLevels"/> (0 is "none").
/// </summary>
public sealed class RuleDefinition
{
    private RuleDefinition(
        string id,
        string sensorId,
        RuleMeasure measure,
        IReadOnlyList<LevelThreshold> thresholds,
        DigitalState? when,
        double hysteresis,
        TimeSpan hold,
        TimeSpan clearAfter,
        bool latch)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentException.ThrowIfNullOrEmpty(sensorId);
        if (HysteresisProblem(hysteresis) is { } hysteresisProblem)
        {
            throw new ArgumentOutOfRangeException(nameof(hysteresis), hysteresis, $"rule '{id}': {hysteresisProblem}");
        }

        if (hold < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(hold), hold, $"rule '{id}': hold must be zero or more");
        }

        if (clearAfter < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(clearAfter), clearAfter, $"rule '{id}': clearAfter must be zero or more");
        }

        if (measure.Problem() is { } measureProblem)
        {
            throw new ArgumentOutOfRangeException(nameof(measure), measure, $"rule '{id}': {measureProblem}");
        }

        if (thresholds.Count == 0)
        {
            throw new ArgumentException($"rule '{id}': at least one level is needed", nameof(thresholds));
        }

        for (var i = 0; i < thresholds.Count; i++)
        {
            var t = thresholds[i];
            if (t.Level <= 0)
            {
                throw new ArgumentException($"rule '{id}': a threshold names level index {t.Level}; levels start at 1", nameof(thresholds));
            }

            if (!double.IsFinite(t.Value))
            {
                throw new ArgumentException($"rule '{id}': threshold of level {t.Level} is not a number", nameof(thresholds));
            }

            if (i > 0 && t.Level <= thresholds[i - 1].Level)
            {
                throw new ArgumentException($"rule '{id}': thresholds must be listed lowest level first, each level once", nameof(thresholds));
            }

            if (i > 0 && !Rises(thresholds[i - 1].Value, t.Value))
            {
                throw new ArgumentException(
                    $"rule '{id}': the threshold of level {t.Level} ({t.Value}) does not rise above that of level {thresholds[i - 1].Level} ({thresholds[i - 1].Value})",
                    nameof(thresholds));
            }
        }

        Id = id;
        SensorId = sensorId;
        Measure = measure;
        Thresholds = thresholds;
        When = when;
        Hysteresis = hysteresis;
        Hold = hold;
        ClearAfter = clearAfter;
        Latch = latch;
    }

    public string Id { get; }
    public string SensorId { get; }
    public RuleMeasure Measure { get; }

    /// <summary>Ordered by level, lowest first; each rises above the one before (<see cref="Rises"/>). A digital rule has one, of value 0.5.</summary>
    public IReadOnlyList<LevelThreshold> Thresholds { get; }

    /// <summary>Set for a digital rule: the input state that raises its single level.</summary>
    public DigitalState? When { get; }

    /// <summary>A level's condition ends only when the measure is below threshold - hysteresis.</summary>
    public double Hysteresis { get; }

    /// <summary>How long a higher condition must hold without a break before the level rises to it.</summary>
    public TimeSpan Hold { get; }

    /// <summary>How long the measure must stay below the current level before the rule steps down.</summary>
    public TimeSpan ClearAfter { get; }

    /// <summary>Never steps down by itself: only an operator clear lowers it.</summary>
    public bool Latch { get; }

    public bool IsDigital => When is not null;

    /// <summary>A rule on a measure with thresholds per level.</summary>
    public static RuleDefinition ForThresholds(
        string id,
        string sensorId,
        RuleMeasure measure,
        IEnumerable<LevelThreshold> thresholds,
        double hysteresis = 0,
        TimeSpan hold = default,
        TimeSpan clearAfter = default,
        bool latch = false)
    {
        ArgumentNullException.ThrowIfNull(thresholds);
        return new RuleDefinition(id, sensorId, measure, [.. thresholds], null, hysteresis, hold, clearAfter, latch);
    }

    /// <summary>A rule on a digital input: <paramref name="level"/> while the input is in state <paramref name="when"/>.</summary>
    public static RuleDefinition ForDigital(
        string id,
        string sensorId,
        DigitalState when,
        int level,
        TimeSpan hold = default,
        TimeSpan clearAfter = default,
        bool latch = false) =>
        new(id, sensorId, RuleMeasure.Value, [new LevelThreshold(level, DigitalThreshold)], when, 0, hold, clearAfter, latch);

    /// <summary>A digital reading at or above this is active.</summary>
    public const double DigitalThreshold = 0.5;

    /// <summary>
    /// Whether a level's threshold rises above the level's below: a higher level needs a higher measure, so
    /// conditions nest and each level can be reached (an equal threshold would hide the lower level).
    /// </summary>
    public static bool Rises(double lower, double higher) => higher > lower;

    /// <summary>Null when <paramref name="hysteresis"/> can be used; otherwise why not.</summary>
    public static string? HysteresisProblem(double hysteresis) => !double.IsFinite(hysteresis) || hysteresis < 0
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"hysteresis {hysteresis:R} is negative; a level ends below threshold - hysteresis")
        : null;

    public override string ToString() => $"{Id} ({SensorId}, {Measure})";
}
