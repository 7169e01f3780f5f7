using System.Collections.Concurrent;
using System.Threading.Channels;
using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Events;
using EdgeGateway.Core.Readings;
using EdgeGateway.Core.Rules;
using EdgeGateway.Hosting.Watchdog;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Hosting.Pipeline;

/// <summary>The latest reading of one sensor, for status.</summary>
public sealed record SensorSnapshot(string SensorId, double Value, Quality Quality, DateTimeOffset Time, DateTimeOffset? LastGood);

/// <summary>
/// The station's spine: every reading acquisition takes goes through here to the rule engine (and to
/// telemetry), every transition the engine makes goes to the observers (broadcaster, uplink), and every
/// event goes to the event observers (uplink, log). One loop owns the engine's clock: readings, the
/// once-a-second tick (holds and clears happen on time without new readings) and operator clears are
/// handled in arrival order. Alert state is saved after every change, durably when a level changed; the
/// broadcast the new level owes (<see cref="IWarningObligations"/>) is saved with it, in the same transaction,
/// before anyone is told of the change, and again whenever the obligation ends.
/// </summary>
public sealed class StationPipeline : BackgroundService, IReadingSink, IStationEventSink
{
    /// <summary>How often the engine is ticked when no reading arrives.</summary>
    public static readonly TimeSpan TickPeriod = TimeSpan.FromSeconds(1);

    /// <summary>How many recent events status keeps.</summary>
    public const int RecentEventCapacity = 50;

    private readonly RuleEngine _engine;
    private readonly IAlertStateStore _store;
    private readonly Func<IReadOnlyDictionary<string, IReadOnlyList<Reading>>>? _loadHistory;
    private readonly IReadOnlyList<IAlertObserver> _alertObservers;
    private readonly IReadOnlyList<IReadingObserver> _readingObservers;
    private readonly IReadOnlyList<IEventObserver> _eventObservers;
    private readonly TimeProvider _time;
    private readonly ProgressMonitor? _progress;
    private readonly IWarningObligations? _obligations;
    private readonly ILogger<StationPipeline> _logger;
    private readonly Channel<Work> _work = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, SensorSnapshot> _sensors = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<StationEvent> _recentEvents = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _savedStateVersion = -1;
    private long _savedLevelVersion = -1;
    private int _owedChanged;
    private bool _saveFailing;

    public StationPipeline(
        RuleEngine engine,
        IAlertStateStore store,
        IEnumerable<IAlertObserver> alertObservers,
        IEnumerable<IReadingObserver> readingObservers,
        IEnumerable<IEventObserver> eventObservers,
        TimeProvider time,
        ILogger<StationPipeline> logger,
        Func<IReadOnlyDictionary<string, IReadOnlyList<Reading>>>? loadHistory = null,
        ProgressMonitor? progress = null,
        IWarningObligations? obligations = null)
    {
        _engine = engine;
        _store = store;
        _alertObservers = [.. alertObservers];
        _readingObservers = [.. readingObservers];
        _eventObservers = [.. eventObservers];
        _time = time;
        _logger = logger;
        _loadHistory = loadHistory;
        _progress = progress;
        _obligations = obligations;
        if (obligations is not null)
        {
            obligations.Changed += (_, _) =>
            {
                Volatile.Write(ref _owedChanged, 1);
                _work.Writer.TryWrite(new Work(null, null, null));
            };
        }

        _engine.SensorFaultChanged += (_, e) => Log.RulesHoldForSensorFault(_logger, e.SensorId, e.Quality);
    }

    /// <summary>Completes once alert state is restored and windows are primed: the engine judges live data.</summary>
    public Task Ready => _ready.Task;

    public RuleEngine Engine => _engine;

    public string StationLevel => _engine.StationLevel;

    public IReadOnlyCollection<SensorSnapshot> Sensors => [.. _sensors.Values.OrderBy(s => s.SensorId, StringComparer.Ordinal)];

    public IReadOnlyList<StationEvent> RecentEvents => [.. _recentEvents];

    /// <summary>The name the alert state store reports its write faults under.</summary>
    public const string AlertStateStore = "alert-state";

    /// <summary>Where a state save the disk refuses is reported (and the next one that works); none when null.</summary>
    public Core.Monitoring.StorageHealth? Storage { get; init; }

    /// <summary>Takes a reading from acquisition (any thread); judged on the rule loop.</summary>
    public void Publish(Reading reading)
    {
        var lastGood = reading.IsGood ? reading.Time : _sensors.TryGetValue(reading.SensorId, out var previous) ? previous.LastGood : null;
        _sensors[reading.SensorId] = new SensorSnapshot(reading.SensorId, reading.Value, reading.Quality, reading.Time, lastGood);
        _work.Writer.TryWrite(new Work(reading, null, null));
    }

    /// <summary>Takes an event from any part of the station and hands it to the event observers.</summary>
    public void Publish(StationEvent stationEvent)
    {
        ArgumentNullException.ThrowIfNull(stationEvent);
        _recentEvents.Enqueue(stationEvent);
        while (_recentEvents.Count > RecentEventCapacity && _recentEvents.TryDequeue(out _))
        {
        }

        var eventLevel = EventLogLevel(stationEvent.Type);
        if (_logger.IsEnabled(eventLevel))
        {
            Log.StationEventLogged(_logger, eventLevel, stationEvent.Type, stationEvent.Source ?? "", stationEvent.Message ?? "");
        }
        foreach (var observer in _eventObservers)
        {
            try
            {
                observer.OnEvent(stationEvent);
            }
            catch (Exception ex)
            {
                Log.ObserverFailed(_logger, ex, observer.GetType().Name);
            }
        }
    }

    /// <summary>
    /// An operator's or the hub's clear of one rule (or all with null). Returns the transitions it caused;
    /// throws <see cref="ArgumentException"/> for an unknown rule, and <see cref="ForceRequiredException"/>
    /// without <paramref name="force"/> when a rule to clear stands above none on a faulty sensor (missing
    /// data never clears an alarm). A forced clear's transitions are <see cref="LevelTransition.Forced"/>:
    /// the broadcaster plays no all-clear for them.
    /// </summary>
    public Task<IReadOnlyList<LevelTransition>> ClearAsync(string? ruleId, string actor, CancellationToken cancellationToken, bool force = false) =>
        ClearAsync(ruleId, actor, peerUid: null, cancellationToken, force);

    /// <summary>As the other overload, for a control-socket client whose uid the kernel gave (audited beside the actor).</summary>
    public async Task<IReadOnlyList<LevelTransition>> ClearAsync(string? ruleId, string actor, int? peerUid, CancellationToken cancellationToken, bool force = false)
    {
        if (ruleId is not null && !_engine.HasRule(ruleId))
        {
            throw new ArgumentException($"no rule '{ruleId}'", nameof(ruleId));
        }

        var transitions = await OnRuleLoopAsync(
            () =>
            {
                if (force)
                {
                    return [.. _engine.Clear(ruleId, _time.GetUtcNow()).Select(t => t with { Forced = true })];
                }

                var blind = _engine.GetRuleStatuses()
                    .Where(r => (ruleId is null || r.RuleId == ruleId) && r.SensorFaulty && r.Level != LevelTransition.None)
                    .Select(r => $"{r.RuleId} (sensor {r.SensorId})")
                    .ToList();
                return blind.Count > 0
                    ? throw new ForceRequiredException($"the sensor of {string.Join(", ", blind)} is faulty: the hazard cannot be judged; clear with force to drop it anyway (no all-clear is played)")
                    : _engine.Clear(ruleId, _time.GetUtcNow());
            },
            cancellationToken).ConfigureAwait(false);
        Publish(new StationEvent(
            StationEventTypes.OperatorAction,
            _time.GetUtcNow(),
            ruleId ?? "all-rules",
            force ? $"forced alert clear by {actor}" : $"alert clear by {actor}",
            new Dictionary<string, object?> { ["action"] = "alert-clear", ["actor"] = actor, ["peerUid"] = peerUid, ["transitions"] = transitions.Count, ["forced"] = force }));
        return transitions;
    }

    /// <summary>
    /// Puts a reloaded rule set into force on the rule loop, in order with readings, ticks and clears (see
    /// <see cref="RuleEngine.Reconfigure"/>): alarm state survives, rules being rebuilt read the readings history
    /// (loaded on the rule loop, so no reading falls between the history and the live stream). The transitions it
    /// causes go to the observers like any others, after the alert state is saved. Throws
    /// <see cref="ArgumentException"/> for a rule set the engine refuses; the rules in force then stay.
    /// </summary>
    public async Task<IReadOnlyList<LevelTransition>> ReconfigureRulesAsync(
        IReadOnlyList<RuleDefinition> rules,
        Func<IEnumerable<Reading>>? history,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var transitions = await OnRuleLoopAsync(
            () =>
            {
                IEnumerable<Reading> readings = [];
                if (history is not null)
                {
                    try
                    {
                        readings = history();
                    }
                    catch (Exception ex)
                    {
                        // New windows then start empty, as after a restart without history; nothing else is lost.
                        Log.RuleWindowsPrimeFailed(_logger, ex);
                    }
                }

                return _engine.Reconfigure(rules, readings, _time.GetUtcNow());
            },
            cancellationToken).ConfigureAwait(false);
        Log.RulesReconfigured(_logger, rules.Count, _engine.StationLevel, transitions.Count);
        return transitions;
    }

    private async Task<IReadOnlyList<LevelTransition>> OnRuleLoopAsync(Func<IReadOnlyList<LevelTransition>> act, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<IReadOnlyList<LevelTransition>>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _work.Writer.WriteAsync(new Work(null, act, done), cancellationToken).ConfigureAwait(false);
        return await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        RestoreAndPrime();
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var heartbeat = _progress?.Register("rules", TimeSpan.FromSeconds(30));
        using var ticker = new PeriodicTimer(TickPeriod, _time);
        var tick = ticker.WaitForNextTickAsync(stoppingToken).AsTask();
        var batch = new List<Reading>(64);
        // One wait for work stays pending across ticks: a second wait on this single-reader channel would cancel
        // the first, and each cancellation is an exception thrown and caught (once a second, for nothing).
        Task<bool>? read = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                read ??= _work.Reader.WaitToReadAsync(stoppingToken).AsTask();
                var first = await Task.WhenAny(read, tick).ConfigureAwait(false);
                if (read.IsCompleted)
                {
                    read = null;
                }

                heartbeat?.Beat();
                if (first == tick)
                {
                    if (!await tick.ConfigureAwait(false))
                    {
                        break;
                    }

                    Emit(_engine.OnTick(_time.GetUtcNow()));
                    tick = ticker.WaitForNextTickAsync(stoppingToken).AsTask();
                }

                while (_work.Reader.TryRead(out var work))
                {
                    if (work.Reading is { } reading)
                    {
                        batch.Add(reading);
                        continue;
                    }

                    if (work.Act is null)
                    {
                        continue; // a wake-up: the obligation changed and is saved below
                    }

                    FlushBatch(batch);
                    try
                    {
                        var transitions = work.Act!();
                        Emit(transitions);
                        work.Done!.TrySetResult(transitions);
                    }
                    catch (ArgumentException ex)
                    {
                        work.Done!.TrySetException(ex);
                    }
                }

                FlushBatch(batch);
                SaveState();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            SaveState();
        }
    }

    private void FlushBatch(List<Reading> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        foreach (var observer in _readingObservers)
        {
            try
            {
                observer.OnReadings(batch);
            }
            catch (Exception ex)
            {
                Log.ObserverFailed(_logger, ex, observer.GetType().Name);
            }
        }

        Emit(_engine.OnReadings(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batch)));
        batch.Clear();
    }

    private void Emit(IReadOnlyList<LevelTransition> transitions)
    {
        if (transitions.Count == 0)
        {
            return;
        }

        foreach (var t in transitions)
        {
            // Rising is the alarm (journalctl -p warning shows it); stepping down is news. With speakers the
            // broadcaster logs the station level, with what it plays: logged here too it would read twice.
            var level = t.Scope == TransitionScope.Station && _obligations is not null ? LogLevel.Debug
                : t.Rises ? LogLevel.Warning : LogLevel.Information;
            if (!_logger.IsEnabled(level))
            {
                continue;
            }

            var measure = ValueText.Format(t.Value);
            if (t.Scope == TransitionScope.Station)
            {
                Log.StationTransition(_logger, level, t.From, t.To);
            }
            else if (t.Threshold is { } threshold)
            {
                var line = ValueText.Format(threshold);
                Log.RuleTransition(_logger, level, t.Id, t.From, t.To, measure, line);
            }
            else
            {
                Log.DigitalTransition(_logger, level, t.Id, t.From, t.To, measure);
            }
        }

        foreach (var t in transitions.Where(t => t.Scope == TransitionScope.Station))
        {
            try
            {
                _obligations?.OnStationLevelChanging(t.FromLevel, t.ToLevel, allClear: !t.Forced);
            }
            catch (ArgumentException ex)
            {
                Log.ObserverFailed(_logger, ex, _obligations!.GetType().Name);
            }
        }

        // Persist (with what the new level owes) before telling anyone: a crash after a broadcast starts
        // cannot replay the level as new, and the owed broadcast plays again after the restart.
        SaveState();
        foreach (var observer in _alertObservers)
        {
            try
            {
                observer.OnTransitions(transitions);
            }
            catch (Exception ex)
            {
                Log.ObserverFailed(_logger, ex, observer.GetType().Name);
            }
        }
    }

    private void RestoreAndPrime()
    {
        try
        {
            if (_store.Load() is { } snapshot)
            {
                foreach (var problem in _engine.Restore(snapshot))
                {
                    Log.AlertStateProblem(_logger, problem);
                }

                Log.AlertStateRestored(_logger, _engine.StationLevel, snapshot.Time);
                _obligations?.Restore(snapshot.Owed, _engine.StationLevel);
            }
        }
        catch (Exception ex)
        {
            // A damaged state file must not keep the station from alarming: start from none and say so.
            Log.AlertStateRestoreFailed(_logger, ex);
        }

        if (_loadHistory is not null)
        {
            try
            {
                var recent = _loadHistory();
                var readings = recent.Values.SelectMany(r => r).OrderBy(r => r.Time).ToList();
                _engine.Prime(readings, _time.GetUtcNow());
                Log.RuleWindowsPrimed(_logger, readings.Count);
            }
            catch (Exception ex)
            {
                Log.RuleWindowsPrimeFailed(_logger, ex);
            }
        }

        _savedStateVersion = _engine.StateVersion;
        _savedLevelVersion = _engine.LevelVersion;
        _ready.TrySetResult();
    }

    private void SaveState()
    {
        var state = _engine.StateVersion;
        var owedChanged = Interlocked.Exchange(ref _owedChanged, 0) == 1;
        if (state == _savedStateVersion && !owedChanged)
        {
            return;
        }

        var levelChanged = _engine.LevelVersion != _savedLevelVersion;
        try
        {
            _store.Save(_engine.Snapshot() with { Owed = _obligations?.Current }, durable: levelChanged || owedChanged);
            _savedStateVersion = state;
            _savedLevelVersion = _engine.LevelVersion;
            _saveFailing = false;
            Storage?.Succeeded(AlertStateStore);
        }
        catch (Exception ex)
        {
            if (owedChanged)
            {
                Volatile.Write(ref _owedChanged, 1);
            }

            // Not saved: the versions stay behind, so the next turn of the loop (a second at most) saves again.
            // Logged once per fault, not once a second on a full disk.
            if (!_saveFailing)
            {
                Log.AlertStateSaveFailed(_logger, ex);
            }

            _saveFailing = true;
            Storage?.Failed(AlertStateStore, ex.Message);
        }
    }

    /// <summary>A reading, or something done to the engine on the rule loop (a clear, a new rule set) and its outcome.</summary>
    private sealed record Work(Reading? Reading, Func<IReadOnlyList<LevelTransition>>? Act, TaskCompletionSource<IReadOnlyList<LevelTransition>>? Done);


    // Each event once: the part that raises an event logs it there, with its context and level; only the
    // events no part logs itself are logged here, the rest at debug (the uplink and the event record keep them).
    private static LogLevel EventLogLevel(string type) => type switch
    {
        StationEventTypes.StorageFault or StationEventTypes.Power or StationEventTypes.Tamper => LogLevel.Warning,
        StationEventTypes.OperatorAction or StationEventTypes.StorageRecovered => LogLevel.Information,
        _ => LogLevel.Debug,
    };
}

/// <summary>Told of readings in arrival order, in batches (telemetry).</summary>
public interface IReadingObserver
{
    void OnReadings(IReadOnlyList<Reading> readings);
}

/// <summary>Told of every station event (uplink).</summary>
public interface IEventObserver
{
    void OnEvent(StationEvent stationEvent);
}

/// <summary>A clear that is refused unless forced (a rule on a faulty sensor, a clear sent to every station).</summary>
public sealed class ForceRequiredException : ArgumentException
{
    public ForceRequiredException()
    {
    }

    public ForceRequiredException(string message)
        : base(message)
    {
    }

    public ForceRequiredException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
