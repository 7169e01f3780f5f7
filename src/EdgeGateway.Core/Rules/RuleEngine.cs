using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Readings;
using EdgeGateway.Core.Rules.Internal;

namespace EdgeGateway.Core.Rules;

/// <summary>
/// Decides rule and station levels from readings and the passing of time, exactly as the level semantics
/// say: measures <c>value</c>, <c>{ sum: W }</c> over (t - W, t] and <c>{ rise: W }</c>; a rule rises
/// straight to the highest level whose condition has held for <c>hold</c>; it steps down once the measure
/// has stayed below <c>threshold - hysteresis</c> of its level for <c>clearAfter</c>, to the level the measure
/// then supports; a latched rule steps down only on <see cref="Clear(string?, DateTimeOffset)"/>; a faulty
/// sensor freezes its rules. The station level is the highest rule level.
/// </summary>
/// <remarks>
/// Time is simulated: the engine's clock is the latest reading or tick it was given, and every instant at
/// which something falls due (a reading leaving a window, a hold or clearAfter elapsing) is evaluated on
/// its own, in order, so the transitions are the same whether ticks come every second or only with the
/// next reading. At one instant, the readings given in one call are all applied before any rule is judged,
/// then the station. Calls are serialised by a lock; handlers of <see cref="SensorFaultChanged"/> run
/// after it is released. Readings of a sensor older than its previous reading are ignored.
/// </remarks>
public sealed class RuleEngine
{
    private readonly Lock _gate = new();
    private readonly AlertLevels _levels;
    private readonly TimeProvider _time;
    private RuleRuntime[] _rules;
    private Dictionary<string, RuleRuntime> _rulesById = new(StringComparer.Ordinal);
    private Dictionary<string, SensorRuntime> _sensors = new(StringComparer.Ordinal);
    private readonly List<LevelTransition> _pending = [];
    private readonly List<SensorFaultEventArgs> _faultChanges = [];
    private long _now = long.MinValue;
    private long _batch;
    private int _stationLevel;
    private long _stateVersion;
    private long _levelVersion;

    public RuleEngine(AlertLevels levels, IEnumerable<RuleDefinition> rules, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(levels);
        ArgumentNullException.ThrowIfNull(rules);
        _levels = levels;
        _time = timeProvider ?? TimeProvider.System;
        (_rules, _rulesById, _sensors) = Build(rules, levels, new Dictionary<string, SensorRuntime>(StringComparer.Ordinal));
    }

    /// <summary>Runtimes for <paramref name="rules"/>, reusing the sensors of <paramref name="existing"/> by id.</summary>
    private static (RuleRuntime[] Rules, Dictionary<string, RuleRuntime> ById, Dictionary<string, SensorRuntime> Sensors) Build(
        IEnumerable<RuleDefinition> rules, AlertLevels levels, Dictionary<string, SensorRuntime> existing)
    {
        var list = new List<RuleRuntime>();
        var byId = new Dictionary<string, RuleRuntime>(StringComparer.Ordinal);
        var sensors = new Dictionary<string, SensorRuntime>(StringComparer.Ordinal);
        var bySensor = new Dictionary<string, List<RuleRuntime>>(StringComparer.Ordinal);
        foreach (var definition in rules)
        {
            ArgumentNullException.ThrowIfNull(definition);
            if (byId.ContainsKey(definition.Id))
            {
                throw new ArgumentException($"rule '{definition.Id}' is defined twice", nameof(rules));
            }

            if (!sensors.TryGetValue(definition.SensorId, out var sensor))
            {
                sensor = existing.GetValueOrDefault(definition.SensorId) ?? new SensorRuntime(definition.SensorId);
                sensors.Add(sensor.Id, sensor);
                bySensor.Add(sensor.Id, []);
            }

            var runtime = new RuleRuntime(definition, sensor, levels.Count);
            list.Add(runtime);
            bySensor[sensor.Id].Add(runtime);
            byId.Add(definition.Id, runtime);
        }

        // Only now that every rule has been built: a sensor reused from the rule set in force is handed its new rules.
        foreach (var (id, sensorRules) in bySensor)
        {
            sensors[id].Rules = [.. sensorRules];
        }

        return ([.. list], byId, sensors);
    }

    /// <summary>Raised (outside the engine's lock) when a sensor that rules depend on goes faulty or recovers.</summary>
    public event EventHandler<SensorFaultEventArgs>? SensorFaultChanged;

    public AlertLevels Levels => _levels;

    /// <summary>The highest rule level.</summary>
    public string StationLevel
    {
        get
        {
            lock (_gate)
            {
                return _levels[_stationLevel].Id;
            }
        }
    }

    /// <summary>Each rule's level id, in rule order.</summary>
    public IReadOnlyDictionary<string, string> RuleLevels
    {
        get
        {
            lock (_gate)
            {
                var levels = new Dictionary<string, string>(_rules.Length, StringComparer.Ordinal);
                foreach (var rule in _rules)
                {
                    levels.Add(rule.Definition.Id, _levels[rule.Level].Id);
                }

                return levels;
            }
        }
    }

    /// <summary>Increases whenever anything a snapshot holds changes (levels, condition runs, clear timers).</summary>
    public long StateVersion
    {
        get
        {
            lock (_gate)
            {
                return _stateVersion;
            }
        }
    }

    /// <summary>Increases whenever a rule level changes: persist such a snapshot durably.</summary>
    public long LevelVersion
    {
        get
        {
            lock (_gate)
            {
                return _levelVersion;
            }
        }
    }

    /// <summary>
    /// The next instant at which a rule must be evaluated without a new reading (a reading leaving a window,
    /// a hold or clearAfter elapsing), or null when nothing is pending. A host may tick then instead of every second.
    /// </summary>
    public DateTimeOffset? NextDue
    {
        get
        {
            lock (_gate)
            {
                var due = MinDue();
                return due == long.MaxValue ? null : new DateTimeOffset(due, TimeSpan.Zero);
            }
        }
    }

    public bool HasRule(string ruleId) => _rulesById.ContainsKey(ruleId);

    /// <summary>
    /// Each rule's state, for status views: level, last measure, thresholds, latch, and what is pending with the
    /// time left as of the time provider's now: the hold running towards a rise (the earliest rise due; at a tie
    /// the higher level) and the clearAfter running towards a step down (to the level the measure supports).
    /// </summary>
    public IReadOnlyList<RuleStatus> GetRuleStatuses()
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            var result = new RuleStatus[_rules.Length];
            for (var i = 0; i < _rules.Length; i++)
            {
                var r = _rules[i];
                RulePending? rising = null;
                foreach (var k in r.Levels)
                {
                    if (k > r.Level && r.ConditionSince[k] != RuleRuntime.NoTime)
                    {
                        var due = ToTime(r.ConditionSince[k] + r.Definition.Hold.Ticks);
                        if (rising is null || due <= rising.Due)
                        {
                            rising = new RulePending(_levels[k].Id, due, Remaining(due, now));
                        }
                    }
                }

                RulePending? falling = null;
                if (r.ClearSince != RuleRuntime.NoTime)
                {
                    var due = ToTime(r.ClearSince + r.Definition.ClearAfter.Ticks);
                    var to = double.IsNaN(r.LastMeasure) ? 0 : Math.Min(r.SupportedLevel(r.LastMeasure), r.Level);
                    falling = new RulePending(_levels[to].Id, due, Remaining(due, now));
                }

                var thresholds = new List<KeyValuePair<string, double>>(r.Levels.Count);
                foreach (var k in r.Levels)
                {
                    if (r.ThresholdOf(k) is { } value)
                    {
                        thresholds.Add(KeyValuePair.Create(_levels[k].Id, value));
                    }
                }

                result[i] = new RuleStatus(
                    r.Definition.Id,
                    r.Definition.SensorId,
                    _levels[r.Level].Id,
                    double.IsNaN(r.LastMeasure) ? null : r.LastMeasure,
                    r.Sensor.Faulty,
                    rising?.To,
                    rising?.Due,
                    falling?.Due)
                {
                    Thresholds = thresholds,
                    When = r.Definition.IsDigital ? r.Definition.When : null,
                    Latched = r.Definition.Latch && r.Level > 0,
                    Rising = rising,
                    Falling = falling,
                };
            }

            return result;
        }

        static TimeSpan Remaining(DateTimeOffset due, DateTimeOffset now) => due > now ? due - now : TimeSpan.Zero;
    }

    /// <summary>Applies one reading at its time (or at the engine's clock if that is later) and evaluates.</summary>
    public IReadOnlyList<LevelTransition> OnReading(Reading reading) => OnReadings([reading]);

    /// <summary>
    /// Applies readings in time order. Readings that share a timestamp are all applied before the rules are
    /// judged at that instant, so a replay gives every reading of a second before deciding.
    /// </summary>
    public IReadOnlyList<LevelTransition> OnReadings(ReadOnlySpan<Reading> readings)
    {
        LevelTransition[] result;
        lock (_gate)
        {
            var i = 0;
            while (i < readings.Length)
            {
                var t = readings[i].Time.UtcTicks;
                var end = i + 1;
                while (end < readings.Length && readings[end].Time.UtcTicks == t)
                {
                    end++;
                }

                ApplyInstant(readings[i..end], t);
                i = end;
            }

            result = Drain();
        }

        RaiseFaultChanges();
        return result;
    }

    /// <summary>Lets time pass to <paramref name="now"/>: holds and clears fall due, readings leave windows.</summary>
    public IReadOnlyList<LevelTransition> OnTick(DateTimeOffset now)
    {
        lock (_gate)
        {
            AdvanceThrough(now.UtcTicks);
            return Drain();
        }
    }

    /// <summary>Lets time pass to the time provider's now.</summary>
    public IReadOnlyList<LevelTransition> OnTick() => OnTick(_time.GetUtcNow());

    /// <summary>
    /// The operator's clear, of one rule or (null) of all: each drops at once to the level its measure supports
    /// now, whatever clearAfter and latch say. A rule whose condition still holds keeps its level; a rule whose
    /// sensor is faulty drops to none. Unknown rule ids throw <see cref="ArgumentException"/>.
    /// </summary>
    public IReadOnlyList<LevelTransition> Clear(string? ruleId, DateTimeOffset now)
    {
        if (ruleId is not null && !_rulesById.ContainsKey(ruleId))
        {
            throw new ArgumentException($"no rule '{ruleId}'", nameof(ruleId));
        }

        lock (_gate)
        {
            var t = now.UtcTicks;
            AdvanceThrough(t);
            t = Math.Max(t, _now);
            var levelChanged = false;
            foreach (var rule in _rules)
            {
                if (ruleId is not null && !string.Equals(rule.Definition.Id, ruleId, StringComparison.Ordinal))
                {
                    continue;
                }

                var hadClear = rule.ClearSince != RuleRuntime.NoTime;
                var step = rule.Clear(t);
                if (step is { } s)
                {
                    Emit(rule, s, t);
                    levelChanged = true;
                }
                else if (hadClear)
                {
                    _stateVersion++;
                }
            }

            if (levelChanged)
            {
                UpdateStation(t);
            }

            return Drain();
        }
    }

    /// <summary>Clear at the time provider's now.</summary>
    public IReadOnlyList<LevelTransition> Clear(string? ruleId) => Clear(ruleId, _time.GetUtcNow());

    /// <summary>
    /// Refills windows and latest values from the readings history after a restart, without judging anything:
    /// good readings up to <paramref name="now"/> are added, the clock is set to <paramref name="now"/>.
    /// Call after <see cref="Restore"/> and before the first live reading or tick.
    /// </summary>
    public void Prime(IEnumerable<Reading> history, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(history);
        lock (_gate)
        {
            var t = now.UtcTicks;
            foreach (var reading in history)
            {
                var rt = reading.Time.UtcTicks;
                if (rt > t || !reading.IsGood || !double.IsFinite(reading.Value)
                    || !_sensors.TryGetValue(reading.SensorId, out var sensor) || rt < sensor.LastTicks)
                {
                    continue;
                }

                sensor.LastTicks = rt;
                foreach (var rule in sensor.Rules)
                {
                    rule.Add(rt, reading.Value);
                }
            }

            _now = Math.Max(_now, t);
            foreach (var rule in _rules)
            {
                rule.ExpireTo(_now);
                rule.NextDue = rule.ComputeNextDue();

                // Status shows what the window holds from the start (rain-1h after a restart), not "-" until
                // the next evaluation; nothing is judged here.
                rule.ShowMeasure();
            }
        }
    }

    /// <summary>
    /// Puts a new rule set into force at <paramref name="now"/> (a configuration reload) without losing alarm state.
    /// What fell due before <paramref name="now"/> is judged by the rules in force. Then, by rule id:
    /// <list type="bullet">
    /// <item>a rule whose sensor and measure are unchanged keeps its level, condition runs (pending hold), clear
    /// timer and window contents; its new thresholds, hysteresis, hold and clearAfter apply from the evaluation
    /// made here, with the normal level semantics;</item>
    /// <item>a rule whose sensor or measure changed keeps its level, and its window is rebuilt from
    /// <paramref name="history"/>; its timers start afresh;</item>
    /// <item>a new rule starts at none with its window primed from <paramref name="history"/> (so it may rise at once);</item>
    /// <item>a removed rule leaves without a transition of its own.</item>
    /// </list>
    /// Every rule is then evaluated at <paramref name="now"/> and the station level recomputed; the transitions this
    /// causes are returned like any others. The level list cannot change here (it is the engine's <see cref="Levels"/>).
    /// </summary>
    /// <param name="history">Readings in time order, as for <see cref="Prime"/>; only the rules being rebuilt read it.</param>
    /// <exception cref="ArgumentException">A rule is defined twice or names a level the station does not have; the rules in force stay.</exception>
    public IReadOnlyList<LevelTransition> Reconfigure(IEnumerable<RuleDefinition> rules, IEnumerable<Reading> history, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(history);
        var definitions = rules.ToList();
        lock (_gate)
        {
            AdvanceThrough(now.UtcTicks);
            var t = _now;
            var (built, byId, sensors) = Build(definitions, _levels, _sensors);
            var rebuild = new List<RuleRuntime>();
            foreach (var rule in built)
            {
                if (_rulesById.TryGetValue(rule.Definition.Id, out var previous))
                {
                    var sameWindow = string.Equals(previous.Definition.SensorId, rule.Definition.SensorId, StringComparison.Ordinal)
                        && previous.Definition.Measure == rule.Definition.Measure;
                    rule.Inherit(previous, sameWindow);
                    if (!sameWindow)
                    {
                        rebuild.Add(rule);
                    }
                }
                else
                {
                    rebuild.Add(rule);
                }
            }

            PrimeRules(rebuild, history, t, newSensors: [.. sensors.Values.Where(s => !_sensors.ContainsKey(s.Id))]);
            _rules = built;
            _rulesById = byId;
            _sensors = sensors;
            _stateVersion++;
            _levelVersion++;
            foreach (var rule in _rules)
            {
                EvaluateRule(rule, t);
            }

            // Always: a removed rule may have been the one holding the station level.
            UpdateStation(t);
            return Drain();
        }
    }

    private static void PrimeRules(List<RuleRuntime> rules, IEnumerable<Reading> history, long t, HashSet<SensorRuntime> newSensors)
    {
        if (rules.Count == 0)
        {
            return;
        }

        var bySensor = rules.GroupBy(r => r.Sensor.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        var last = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var reading in history)
        {
            var rt = reading.Time.UtcTicks;
            if (rt > t || !reading.IsGood || !double.IsFinite(reading.Value)
                || !bySensor.TryGetValue(reading.SensorId, out var sensorRules)
                || (last.TryGetValue(reading.SensorId, out var previous) && rt < previous))
            {
                continue;
            }

            last[reading.SensorId] = rt;
            foreach (var rule in sensorRules)
            {
                rule.Add(rt, reading.Value);
            }
        }

        foreach (var sensor in newSensors)
        {
            if (last.TryGetValue(sensor.Id, out var latest))
            {
                sensor.LastTicks = latest;
            }
        }
    }

    /// <summary>The state a restart must keep (see <see cref="AlertStateSnapshot"/>).</summary>
    public AlertStateSnapshot Snapshot()
    {
        lock (_gate)
        {
            var rules = new RuleAlertState[_rules.Length];
            for (var i = 0; i < _rules.Length; i++)
            {
                var r = _rules[i];
                var since = new List<LevelSince>();
                foreach (var k in r.Levels)
                {
                    if (r.ConditionSince[k] != RuleRuntime.NoTime)
                    {
                        since.Add(new LevelSince(_levels[k].Id, ToTime(r.ConditionSince[k])));
                    }
                }

                rules[i] = new RuleAlertState(
                    r.Definition.Id,
                    _levels[r.Level].Id,
                    r.ClearSince == RuleRuntime.NoTime ? null : ToTime(r.ClearSince),
                    since);
            }

            return new AlertStateSnapshot(_now == long.MinValue ? DateTimeOffset.MinValue : ToTime(_now), rules);
        }
    }

    /// <summary>
    /// Puts back levels and timers saved before a restart. Produces no transitions: a level that did not change
    /// is not announced again. Rules not in the snapshot start at none; a saved level this station no longer
    /// has starts the rule at none, so it rises again (and is announced) if its condition still holds.
    /// Returns what could not be restored, for the log.
    /// </summary>
    public IReadOnlyList<string> Restore(AlertStateSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var problems = new List<string>();
        lock (_gate)
        {
            foreach (var saved in snapshot.Rules)
            {
                if (!_rulesById.TryGetValue(saved.RuleId, out var rule))
                {
                    problems.Add($"saved state of rule '{saved.RuleId}' ignored: no such rule any more");
                    continue;
                }

                if (_levels.TryGetRank(saved.Level, out var level))
                {
                    rule.Level = level;
                }
                else
                {
                    rule.Level = 0;
                    problems.Add($"rule '{saved.RuleId}' was at level '{saved.Level}', which no longer exists: starting at none");
                }

                Array.Fill(rule.ConditionSince, RuleRuntime.NoTime);
                foreach (var since in saved.ConditionSince)
                {
                    if (_levels.TryGetRank(since.Level, out var k) && rule.Levels.Contains(k))
                    {
                        rule.ConditionSince[k] = since.Since.UtcTicks;
                    }
                }

                rule.ClearSince = saved.ClearSince is { } clear && !rule.Definition.Latch ? clear.UtcTicks : RuleRuntime.NoTime;
                rule.NextDue = rule.ComputeNextDue();
            }

            _stationLevel = 0;
            foreach (var rule in _rules)
            {
                _stationLevel = Math.Max(_stationLevel, rule.Level);
            }
        }

        return problems;
    }

    private static DateTimeOffset ToTime(long ticks) => new(ticks, TimeSpan.Zero);

    private void ApplyInstant(ReadOnlySpan<Reading> readings, long t)
    {
        AdvanceBefore(t);
        if (t > _now)
        {
            _now = t;
        }

        // A reading later than the clock cannot be; one earlier (late delivery) is judged now.
        var at = _now;
        var batch = ++_batch;
        foreach (ref readonly var reading in readings)
        {
            if (!_sensors.TryGetValue(reading.SensorId, out var sensor) || t < sensor.LastTicks)
            {
                continue;
            }

            sensor.LastTicks = t;
            if (!reading.IsGood || !double.IsFinite(reading.Value))
            {
                var quality = reading.Quality == Quality.Good ? Quality.OutOfRange : reading.Quality;
                if (!sensor.Faulty)
                {
                    sensor.Faulty = true;
                    foreach (var rule in sensor.Rules)
                    {
                        if (rule.CancelClear())
                        {
                            _stateVersion++;
                        }

                        rule.NextDue = long.MaxValue;
                    }

                    _faultChanges.Add(new SensorFaultEventArgs(sensor.Id, ToTime(at), quality, RuleIds(sensor)));
                }

                continue;
            }

            if (sensor.Faulty)
            {
                sensor.Faulty = false;
                _faultChanges.Add(new SensorFaultEventArgs(sensor.Id, ToTime(at), Quality.Good, RuleIds(sensor)));
            }

            foreach (var rule in sensor.Rules)
            {
                rule.Add(t, reading.Value);
                rule.TouchedBatch = batch;
            }
        }

        var levelChanged = false;
        foreach (var rule in _rules)
        {
            if (rule.TouchedBatch == batch || rule.NextDue <= at)
            {
                levelChanged |= EvaluateRule(rule, at);
            }
        }

        if (levelChanged)
        {
            UpdateStation(at);
        }
    }

    private static string[] RuleIds(SensorRuntime sensor)
    {
        var ids = new string[sensor.Rules.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = sensor.Rules[i].Definition.Id;
        }

        return ids;
    }

    /// <summary>Evaluates every instant at which something falls due strictly before <paramref name="t"/>.</summary>
    private void AdvanceBefore(long t)
    {
        long due;
        while ((due = MinDue()) < t)
        {
            ProcessDue(due);
        }
    }

    /// <summary>Evaluates every instant due up to and including <paramref name="t"/>; the clock ends at t.</summary>
    private void AdvanceThrough(long t)
    {
        long due;
        while ((due = MinDue()) <= t)
        {
            ProcessDue(due);
        }

        if (t > _now)
        {
            _now = t;
        }
    }

    private void ProcessDue(long due)
    {
        // An instant already passed (the clock moved on with a late reading) is judged at the clock.
        var at = Math.Max(due, _now);
        _now = at;
        var levelChanged = false;
        foreach (var rule in _rules)
        {
            if (rule.NextDue <= at)
            {
                levelChanged |= EvaluateRule(rule, at);
            }
        }

        if (levelChanged)
        {
            UpdateStation(at);
        }
    }

    private long MinDue()
    {
        var due = long.MaxValue;
        foreach (var rule in _rules)
        {
            if (rule.NextDue < due)
            {
                due = rule.NextDue;
            }
        }

        return due;
    }

    private bool EvaluateRule(RuleRuntime rule, long at)
    {
        if (rule.Evaluate(at, out var step))
        {
            _stateVersion++;
        }

        if (step is { } s)
        {
            Emit(rule, s, at);
            return true;
        }

        return false;
    }

    private void Emit(RuleRuntime rule, LevelStep step, long at)
    {
        _stateVersion++;
        _levelVersion++;
        _pending.Add(new LevelTransition(
            ToTime(at),
            TransitionScope.Rule,
            rule.Definition.Id,
            _levels[step.From],
            _levels[step.To],
            step.Value,
            step.Threshold));
    }

    private void UpdateStation(long at)
    {
        var level = 0;
        foreach (var rule in _rules)
        {
            level = Math.Max(level, rule.Level);
        }

        if (level != _stationLevel)
        {
            _pending.Add(new LevelTransition(
                ToTime(at), TransitionScope.Station, LevelTransition.StationId, _levels[_stationLevel], _levels[level]));
            _stationLevel = level;
        }
    }

    private LevelTransition[] Drain()
    {
        if (_pending.Count == 0)
        {
            return [];
        }

        var result = _pending.ToArray();
        _pending.Clear();
        return result;
    }

    private void RaiseFaultChanges()
    {
        SensorFaultEventArgs[] changes;
        lock (_gate)
        {
            if (_faultChanges.Count == 0)
            {
                return;
            }

            changes = [.. _faultChanges];
            _faultChanges.Clear();
        }

        foreach (var change in changes)
        {
            SensorFaultChanged?.Invoke(this, change);
        }
    }
}

/// <summary>A rule's state for status views: level, last measure, fault, and what is pending.</summary>
/// <param name="PendingLevel">The level of <see cref="Rising"/>, or null.</param>
/// <param name="RiseDue">When <see cref="Rising"/> falls due, or null.</param>
/// <param name="ClearDue">When <see cref="Falling"/> falls due, or null.</param>
public sealed record RuleStatus(
    string RuleId,
    string SensorId,
    string Level,
    double? Measure,
    bool SensorFaulty,
    string? PendingLevel,
    DateTimeOffset? RiseDue,
    DateTimeOffset? ClearDue)
{
    /// <summary>Each level's threshold, lowest level first (empty for a digital rule: see <see cref="When"/>).</summary>
    public IReadOnlyList<KeyValuePair<string, double>> Thresholds { get; init; } = [];

    /// <summary>The input state that raises a digital rule; null for a measured one.</summary>
    public DigitalState? When { get; init; }

    /// <summary>A latched rule above none: it stays until an operator clears it.</summary>
    public bool Latched { get; init; }

    /// <summary>A hold running: the rule rises to <see cref="RulePending.To"/> if its condition holds until then.</summary>
    public RulePending? Rising { get; init; }

    /// <summary>A clearAfter running: the rule steps down to <see cref="RulePending.To"/> if the measure stays below.</summary>
    public RulePending? Falling { get; init; }
}

/// <summary>A level change waiting on a hold or clearAfter: where to, when, and the time left (never negative).</summary>
public sealed record RulePending(string To, DateTimeOffset Due, TimeSpan Remaining);
