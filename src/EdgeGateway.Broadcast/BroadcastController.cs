using System.Device.Gpio;
using EdgeGateway.Broadcast.Internal;
using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Events;
using EdgeGateway.Core.Monitoring;
using EdgeGateway.Hardware.Audio;
using EdgeGateway.Hardware.Relays;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Broadcast;

/// <summary>
/// Drives the village loudspeakers. One broadcast plays at a time, chosen by priority:
/// <list type="bullet">
/// <item>A request with a higher <see cref="BroadcastPriority"/> than the one playing preempts it at once;
/// the relays stay on and the new message starts without a gap. A preempted owed broadcast (below) waits at
/// its own priority and plays again from the start of its message, with the repeats it had not finished;
/// any other preempted broadcast is not resumed.</item>
/// <item>Equal or lower priority waits in the queue (highest first, then in arrival order).</item>
/// <item>A request whose <see cref="BroadcastRequest.Key"/> is already playing or waiting is ignored
/// (a level raised again does not restart its broadcast).</item>
/// <item><see cref="Stop"/> ends the playing broadcast, empties the queue and discharges the obligation.</item>
/// </list>
/// Warning obligations (<see cref="IWarningObligations"/>): while the station level is above none the village
/// is owed that level's broadcast, all its repeats; after a return to none, the all-clear. The obligation ends
/// when its broadcast completes (or the siren stood in for it), when the level changes, or on <see cref="Stop"/>;
/// preemption, failures and the process ending never end it. A failed attempt is tried again after a back-off.
/// Only an owed broadcast falls back to the siren when its clip cannot be played; any other ends failed.
/// A session runs: amplifier on, warm-up, zones on, message (repeats separated by the gap), further queued
/// messages, tail, zones off, amplifier off. Relays are driven off before the host starts anything else
/// (<see cref="StartAsync"/>), after every session, on every exception and on shutdown.
/// Every broadcast that starts ends with exactly one broadcast-finished event saying whether it completed;
/// faults also raise broadcast-failed. The silent self-test and the audible test raise self-test events.
/// The controller keeps the worker loop, <see cref="Reconfigure"/> and <see cref="State"/>; beside it the queue,
/// the level policy, the silent self-test and its schedule, the relays and sink with their bounded waits, and the
/// events each live in their own type (Internal/).
/// </summary>
public sealed class BroadcastController : BackgroundService, IWarningObligations
{
    /// <summary>
    /// The worker loop's watchdog allowance. The loop beats every <see cref="BeatInterval"/> while it waits for
    /// work or for a bounded wait (warm-up, a clip, a gap, the tail); between beats it only switches relays and
    /// publishes events. Half a minute is six missed beats: a loaded Pi does not miss that many, a hang does.
    /// </summary>
    public static readonly TimeSpan LoopMaxSilence = TimeSpan.FromSeconds(30);

    /// <summary>How often the worker loop beats while it waits.</summary>
    public static readonly TimeSpan BeatInterval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// What a wait of known length (a clip, a pause, a delay) may take beyond it before it counts as stuck:
    /// opening the ALSA device and starting the player, on a loaded Pi.
    /// </summary>
    public static readonly TimeSpan WaitSlack = TimeSpan.FromSeconds(15);

    /// <summary>How long loading a message may take: a long text spoken by espeak-ng on a Pi, or a WAV on a slow card.</summary>
    public static readonly TimeSpan LoadAllowance = TimeSpan.FromMinutes(2);

    private readonly Lock _gate = new();
    private volatile BroadcastOptions _options;
    private volatile LevelPolicy _levels;
    private readonly RelayBank _relays;
    private readonly IAudioSink _sink;
    private readonly BroadcastOutput _output;
    private volatile MessageLibrary _library;
    private readonly BroadcastEvents _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly BroadcastQueue _queue = new();
    private readonly SelfTestSchedule _schedule;
    private readonly ObligationBook _owed = new();
    private BroadcastEntry? _current;
    private CancellationTokenSource? _session;
    private BroadcastPhase _phase;
    private SelfTestReport? _lastSelfTest;
    private IReadOnlyList<string> _problems = [];
    private CancellationToken _stopping;

    public BroadcastController(
        BroadcastOptions options,
        GpioController gpio,
        IAudioSink sink,
        MessageLibrary library,
        IStationEventSink events,
        TimeProvider time,
        ILogger<BroadcastController> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(gpio);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(library);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid broadcast options: " + string.Join("; ", errors), nameof(options));
        }

        _options = options;
        _levels = new LevelPolicy(options);
        _relays = RelaysOff.Bank(gpio, options);
        _sink = sink;
        _library = library;
        _events = new BroadcastEvents(events, time, logger);
        _output = new BroadcastOutput(_relays, sink, options.SirenDuration, _events, time);
        _schedule = new SelfTestSchedule(options.SelfTestPeriod, time);
        _time = time;
        _logger = logger;
    }

    public MessageLibrary Messages => _library;

    /// <summary>The station's alert levels in force (their broadcasts as last reloaded).</summary>
    public AlertLevels Levels => _options.Levels;

    /// <summary>The broadcast the village is owed now, if any.</summary>
    public WarningObligation? Current
    {
        get
        {
            lock (_gate)
            {
                return _owed.Current;
            }
        }
    }

    /// <summary>The obligation changed by itself (discharged or given up): whoever keeps it saves it again.</summary>
    public event EventHandler? Changed;

    /// <summary>Where the worker loop reports progress (the station's watchdog); none when null.</summary>
    public ILoopMonitor? Loops { get; init; }

    /// <summary>
    /// Raised once for each accepted request when it is over: played (or not) to its end, a self-test judged,
    /// or dropped from the queue by <see cref="Stop"/>. Raised outside the lock, from the worker loop or the caller of Stop.
    /// </summary>
    public event Action<BroadcastEnd>? Ended;

    /// <summary>
    /// Puts reloaded settings into force for the next request: messages, repeats, gap, warm-up, tail, the
    /// all-clear and the self-test period. The broadcast playing finishes as it began. The relay lines and the
    /// level list are claimed at start: a change of either is refused (<see cref="InvalidOperationException"/>)
    /// and the settings in force stay; so are invalid options (<see cref="ArgumentException"/>).
    /// </summary>
    public void Reconfigure(BroadcastOptions next)
    {
        ArgumentNullException.ThrowIfNull(next);
        var errors = next.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid broadcast options: " + string.Join("; ", errors), nameof(next));
        }

        var running = _options;
        static string Relays(BroadcastOptions o) => $"amplifier {o.AmplifierPin}, " + string.Join(", ", o.Zones.Select(z => $"{z.Id} {z.Pin}"));
        if (Relays(running) != Relays(next))
        {
            throw new InvalidOperationException(
                $"broadcast relay lines changed ({Relays(running)} -> {Relays(next)}): they take effect at the next restart; the broadcast settings in force are unchanged");
        }

        if (!running.Levels.SameIds(next.Levels))
        {
            throw new InvalidOperationException(
                $"alert levels changed ({running.Levels} -> {next.Levels}): they take effect at the next restart; the broadcast settings in force are unchanged");
        }

        lock (_gate)
        {
            _library = _library.With(next);
            _options = next;
            _levels = new LevelPolicy(next);
        }

        _schedule.Change(next.SelfTestPeriod);
        Log.BroadcastReconfigured(_logger, next.Messages.Count, next.Gap, next.SelfTestPeriod);
        if (!_stopping.IsCancellationRequested && _stopping.CanBeCanceled)
        {
            // Which messages can be played, for status: a renamed file shows up before the next broadcast.
            _ = Task.Run(() => CheckMessagesAsync(_stopping), _stopping);
        }
    }

    /// <summary>A snapshot for status.</summary>
    public BroadcastState State
    {
        get
        {
            lock (_gate)
            {
                return new BroadcastState(
                    _phase,
                    _current?.ToItem(),
                    _queue.Items(),
                    _relays.AmplifierOn,
                    _relays.ZoneStates,
                    _sink.Description,
                    _lastSelfTest,
                    _problems,
                    _owed.Current);
            }
        }
    }

    /// <summary>Drives every relay off before anything else in the host starts.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var (relay, error) in _relays.OpenAllOff())
        {
            _events.RelayFailed(relay, error, "driven");
        }

        Log.BroadcastReady(_logger, _options.AmplifierPin, _options.Zones.Count, _sink.Description);
        return base.StartAsync(cancellationToken);
    }

    /// <summary>Stops the loop, then drives every relay off whatever state the loop was in.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await base.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var (relay, error) in _relays.AllOff())
            {
                _events.RelayFailed(relay, error, "switched off", publish: false);
            }

            // Read back from the driver, not from what we believe we wrote.
            var lines = _relays.ReadBack();
            Log.RelaysAtShutdown(_logger, lines);
        }
    }

    public override void Dispose()
    {
        _schedule.Dispose();
        base.Dispose();
    }

    /// <summary>
    /// The station level changed. Rising to a level with a broadcast queues it (automatic class, ranked by
    /// level; <see cref="BroadcastOrigin.Manual"/> for the manual alarm button, which outranks automatic
    /// ones). Returning to none ends the automatic broadcasts playing or waiting and queues the all-clear.
    /// Stepping down to a lower level plays nothing and lets what is playing finish (no longer owed).
    /// <paramref name="allClear"/> false: a return to none plays no all-clear (a forced clear).
    /// </summary>
    /// <returns>What was queued, or null when the change plays nothing.</returns>
    public EnqueueResult? OnStationLevelChanged(AlertLevel fromLevel, AlertLevel toLevel, BroadcastOrigin origin = BroadcastOrigin.Automatic, bool allClear = true)
    {
        ArgumentNullException.ThrowIfNull(fromLevel);
        ArgumentNullException.ThrowIfNull(toLevel);
        if (Owe(fromLevel, toLevel, allClear))
        {
            Changed?.Invoke(this, EventArgs.Empty);
        }

        var levels = _levels;
        var from = levels.InForce(fromLevel);
        var to = levels.InForce(toLevel);

        // This line is the station level's in the log (with what plays): a rise is an alarm.
        var rise = to.Rank > from.Rank ? LogLevel.Warning : LogLevel.Information;
        if (to.IsNone)
        {
            var superseded = DropLevelBroadcasts();
            var cue = allClear ? levels.AllClear : null;
            if (from.IsNone || cue is null)
            {
                Log.LevelChanged(_logger, rise, from.Id, to.Id, superseded ? "ended (no all-clear configured)" : "none");
                return null;
            }

            var result = Enqueue(LevelPolicy.AllClearRequest(cue));
            Log.LevelChanged(_logger, rise, from.Id, to.Id, cue.Message);
            return result;
        }

        if (to.Rank <= from.Rank)
        {
            Log.LevelChanged(_logger, rise, from.Id, to.Id, "none (stepping down)");
            return null;
        }

        lock (_gate)
        {
            // A pending all-clear no longer says the truth.
            _queue.RemoveAll(e => e.Request.Key == WarningObligation.AllClearKey);
        }

        if (LevelPolicy.RiseRequest(to, origin) is not { } request)
        {
            Log.LevelChanged(_logger, rise, from.Id, to.Id, "none (level has no broadcast)");
            return null;
        }

        var queued = Enqueue(request);
        Log.LevelChanged(_logger, rise, from.Id, to.Id, request.Message!);
        return queued;
    }

    /// <inheritdoc/>
    public void OnStationLevelChanging(AlertLevel fromLevel, AlertLevel toLevel, bool allClear = true)
    {
        ArgumentNullException.ThrowIfNull(fromLevel);
        ArgumentNullException.ThrowIfNull(toLevel);
        Owe(fromLevel, toLevel, allClear);
    }

    /// <inheritdoc/>
    public void Restore(WarningObligation? owed, string stationLevel)
    {
        ArgumentNullException.ThrowIfNull(stationLevel);
        if (owed is null)
        {
            return;
        }

        if (!owed.BelongsTo(stationLevel))
        {
            // Saved in one transaction with the level, so only a changed configuration gets here.
            Log.ObligationDropped(_logger, owed.Key, stationLevel);
            Changed?.Invoke(this, EventArgs.Empty);
            return;
        }

        lock (_gate)
        {
            _owed.Set(owed);
        }

        Log.ObligationResumed(_logger, owed.Key, "the process ended before it completed", owed.Repeat);
        var request = new BroadcastRequest
        {
            Message = owed.Message,
            Repeat = Math.Clamp(owed.Repeat, 1, BroadcastRequest.MaxRepeat),
            Origin = BroadcastOrigin.Automatic,
            Rank = owed.Rank,
            Key = owed.Key,
        };
        EnqueueEntry(request, resumed: true);
    }

    /// <summary>Puts in force what a change to <paramref name="toLevel"/> owes; true when the obligation changed.</summary>
    private bool Owe(AlertLevel fromLevel, AlertLevel toLevel, bool allClear)
    {
        var next = _levels.Owed(fromLevel, toLevel, allClear, _time.GetUtcNow());
        WarningObligation? previous;
        lock (_gate)
        {
            previous = _owed.Current;
            if (!_owed.Set(next))
            {
                return false;
            }
        }

        if (previous is not null)
        {
            Log.ObligationDischarged(_logger, previous.Key, "the station level changed to " + toLevel.Id);
        }

        return true;
    }

    /// <summary>Queues a request (preempting the one playing if it ranks higher).</summary>
    /// <exception cref="ArgumentException">The request is malformed (see <see cref="BroadcastRequest.Problem"/>).</exception>
    public EnqueueResult Enqueue(BroadcastRequest request) => EnqueueEntry(request, resumed: false);

    private EnqueueResult EnqueueEntry(BroadcastRequest request, bool resumed)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(request));
        }

        CancellationTokenSource? preempt = null;
        EnqueueResult result;
        lock (_gate)
        {
            if (request.Key is { } key && (_current?.Request.Key == key || _queue.Contains(key)))
            {
                Log.BroadcastIgnored(_logger, request.Label, key);
                return new EnqueueResult(request.Id, false, false, -1, "already playing or queued");
            }

            var index = _queue.Add(new BroadcastEntry(request, resumed));
            if (_current is { } current && request.Priority > current.Request.Priority && current.CancelReason is null)
            {
                current.CancelReason = BroadcastOutcome.Preempted;
                preempt = current.Cancellation;
            }

            result = new EnqueueResult(request.Id, true, preempt is not null, index);
        }

        // Cancel outside the lock: continuations may run inline and take it.
        Cancel(preempt);
        return result;
    }

    /// <summary>
    /// Ends the playing broadcast (relays off at once), empties the queue and discharges the obligation: an
    /// operator or the hub can silence a wrong alarm (the act is audited by whoever called).
    /// </summary>
    /// <returns>The broadcast that was playing (null if none) and how many waiting ones were dropped.</returns>
    public (BroadcastItem? Stopped, int Dropped) Stop()
    {
        CancellationTokenSource? session;
        BroadcastItem? stopped;
        int dropped;
        WarningObligation? owed;
        Guid[] droppedIds;
        lock (_gate)
        {
            owed = _owed.Current;
            _owed.Set(null);
            droppedIds = [.. _queue.Clear().Select(e => e.Request.Id)];
            dropped = droppedIds.Length;
            stopped = _current?.ToItem();
            if (_current is { CancelReason: null } current)
            {
                current.CancelReason = BroadcastOutcome.Stopped;
            }

            session = _session;
        }

        Cancel(session);
        foreach (var id in droppedIds)
        {
            RaiseEnded(new BroadcastEnd(id, "stopped", Ok: false, "dropped from the queue by a stop before it played"));
        }

        Log.BroadcastStopped(_logger, stopped?.Message ?? "nothing playing", dropped);
        if (owed is not null)
        {
            Log.ObligationDischarged(_logger, owed.Key, "broadcast stop");
            Changed?.Invoke(this, EventArgs.Empty);
        }

        return (stopped, dropped);
    }

    /// <summary>
    /// Queues a test: <paramref name="silent"/> exercises relays and the audio path with nothing reaching the
    /// speakers; otherwise the test message (which says it is a test) plays once. Tests rank lowest.
    /// </summary>
    public EnqueueResult Test(bool silent) => Enqueue(BroadcastRequest.TestOf(silent));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        using var heartbeat = Loops?.Register("broadcast", LoopMaxSilence);
        _output.Heartbeat = heartbeat;
        var schedule = _schedule.RunAsync(() => Test(silent: true), stoppingToken);
        // Beside the loop, not before it: an alarm must not wait for speech synthesis of the test message.
        var check = Task.Run(() => CheckMessagesAsync(stoppingToken), stoppingToken);
        try
        {
            while (true)
            {
                await WaitForWorkAsync(stoppingToken).ConfigureAwait(false);
                await RunSessionAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _output.SwitchAllOff();
            int dropped;
            lock (_gate)
            {
                dropped = _queue.Clear().Count;
                _phase = BroadcastPhase.Idle;
            }

            if (dropped > 0)
            {
                Log.ShutdownDropped(_logger, dropped);
            }

            try
            {
                await Task.WhenAll(schedule, check).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private async Task CheckMessagesAsync(CancellationToken cancellationToken)
    {
        var problems = await _library.CheckAllAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _problems = problems;
        }

        _events.MessageProblems(problems);
    }

    private async Task WaitForWorkAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task signal;
            lock (_gate)
            {
                if (_queue.Count > 0)
                {
                    return;
                }

                signal = _queue.Added;
            }

            await _output.Heartbeat.WaitBeatingAsync(signal.WaitAsync(cancellationToken), Timeout.InfiniteTimeSpan, BeatInterval, _time).ConfigureAwait(false);
        }
    }

    private async Task RunSessionAsync(CancellationToken stoppingToken)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        bool silentTest;
        lock (_gate)
        {
            _session = session;
            silentTest = _queue.HeadIsSilent;
        }

        try
        {
            if (silentTest)
            {
                if (TryTakeNext(allowSilentTest: true) is { } test)
                {
                    await RunSilentSelfTestAsync(test, session.Token).ConfigureAwait(false);
                }

                return;
            }

            SetPhase(BroadcastPhase.WarmingUp);
            _output.TrySwitch("amplifier", () => _relays.Amplifier(true));
            var context = new SessionContext(_time.GetUtcNow() + _options.Warmup);
            while (true)
            {
                while (HasPlayableHead())
                {
                    if (context.GapDue && _options.Gap - (_time.GetUtcNow() - context.QuietSince) is { } rest && rest > TimeSpan.Zero)
                    {
                        // One broadcast after another gets the same gap as repeats (the tail counts towards
                        // it); whatever ranks highest when the gap ends plays next.
                        SetPhase(BroadcastPhase.Gap);
                        await _output.Bounded(_sink.PauseAsync(rest, session.Token), rest).ConfigureAwait(false);
                    }

                    if (TryTakeNext(allowSilentTest: false) is not { } entry)
                    {
                        break;
                    }

                    await PlayAsync(entry, context, session.Token).ConfigureAwait(false);
                }

                if (!await TailAsync(session.Token).ConfigureAwait(false))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (session.IsCancellationRequested)
        {
            // Stopped or shutting down between broadcasts: the relays go off below.
        }
        finally
        {
            _output.SwitchAllOff();
            lock (_gate)
            {
                _session = null;
                _current = null;
                _phase = BroadcastPhase.Idle;
            }
        }
    }

    /// <summary>
    /// Holds the relays for the tail (silence on live speakers); returns true if a broadcast arrived
    /// meanwhile and the session goes on without switching off.
    /// </summary>
    private async Task<bool> TailAsync(CancellationToken cancellationToken)
    {
        SetPhase(BroadcastPhase.Tail);
        var start = _time.GetUtcNow();
        while (true)
        {
            Task signal;
            lock (_gate)
            {
                if (_queue.HasPlayableHead)
                {
                    return true;
                }

                signal = _queue.Added;
            }

            var remaining = _options.Tail - (_time.GetUtcNow() - start);
            if (remaining <= TimeSpan.Zero)
            {
                return false;
            }

            using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _ = signal.ContinueWith(static (_, state) => Cancel((CancellationTokenSource)state!), wake, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            try
            {
                await _output.Bounded(_sink.PauseAsync(remaining, wake.Token), remaining).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Something was queued: play it if it may play now, else hold the rest of the tail.
            }
        }
    }

    private async Task PlayAsync(BroadcastEntry entry, SessionContext context, CancellationToken sessionToken)
    {
        var request = entry.Request;
        var token = entry.Cancellation.Token;
        var gap = _options.Gap; // a reload changes the next broadcast, not this one
        var outcome = BroadcastOutcome.Completed;
        var fallback = false;
        string? error = null;
        bool owed;
        lock (_gate)
        {
            owed = _owed.Owes(request);
        }

        _events.Started(entry, IsOwed(entry));
        try
        {
            AudioClip clip;
            try
            {
                clip = await _output.Loading(_library.LoadAsync(request, token)).ConfigureAwait(false);
            }
            catch (ClipUnavailableException ex) when (owed)
            {
                // The siren stands in only for a warning the village is owed, never for what a person asked for.
                clip = _output.Siren;
                fallback = true;
                error = ex.Message;
                _events.Failed(entry, IsOwed(entry), "clip-unavailable", ex.Message, "siren");
            }

            var warm = context.WarmUntil - _time.GetUtcNow();
            if (warm > TimeSpan.Zero)
            {
                await _output.Delay(warm, token).ConfigureAwait(false);
            }

            if (!context.ZonesOn)
            {
                _output.TrySwitch("zones", () => _relays.Zones(true));
                context.ZonesOn = true;
            }

            for (var i = 0; i < request.Repeat; i++)
            {
                if (i > 0)
                {
                    SetPhase(BroadcastPhase.Gap);
                    await _output.Bounded(_sink.PauseAsync(gap, token), gap).ConfigureAwait(false);
                }

                SetPhase(BroadcastPhase.Playing);
                try
                {
                    await _output.Bounded(_sink.PlayAsync(clip, muted: false, token), clip.Duration).ConfigureAwait(false);
                }
                catch (AudioDeviceException ex) when (!fallback && owed)
                {
                    // The device may have choked on this clip only: the siren is the last resort.
                    fallback = true;
                    error = ex.Message;
                    clip = _output.Siren;
                    _events.Failed(entry, IsOwed(entry), "audio-device", ex.Message, "siren");
                    await _output.Bounded(_sink.PlayAsync(clip, muted: false, token), clip.Duration).ConfigureAwait(false);
                }

                lock (_gate)
                {
                    entry.RepeatsPlayed = i + 1;
                }
            }

            outcome = fallback ? BroadcastOutcome.Fallback : BroadcastOutcome.Completed;
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            lock (_gate)
            {
                outcome = entry.CancelReason ?? (_stopping.IsCancellationRequested ? BroadcastOutcome.Shutdown : BroadcastOutcome.Stopped);
            }
        }
        catch (ClipUnavailableException ex)
        {
            outcome = BroadcastOutcome.Failed;
            error = ex.Message;
            _events.Failed(entry, IsOwed(entry), "clip-unavailable", ex.Message, "none");
        }
        catch (AudioDeviceException ex)
        {
            outcome = BroadcastOutcome.Failed;
            error = ex.Message;
            _events.Failed(entry, IsOwed(entry), "audio-device", ex.Message, "none");
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            outcome = BroadcastOutcome.Failed;
            error = ex.Message;
            _events.Failed(entry, IsOwed(entry), "internal", ex.Message, "none");
        }
        finally
        {
            lock (_gate)
            {
                if (_current == entry)
                {
                    _current = null;
                }
            }

            entry.Cancellation.Dispose();
        }

        context.GapDue = outcome is not (BroadcastOutcome.Preempted or BroadcastOutcome.Superseded);
        context.QuietSince = _time.GetUtcNow();
        _events.Finished(entry, IsOwed(entry), outcome, error);
        Settle(entry, outcome);
        var name = outcome.ToString().ToLowerInvariant();
        if (request.Origin == BroadcastOrigin.Test)
        {
            var problems = error is null ? Array.Empty<string>() : [error];
            name = outcome == BroadcastOutcome.Completed ? "passed" : name;
            ReportSelfTest(silent: false, name, problems);
        }

        RaiseEnded(new BroadcastEnd(request.Id, name, outcome == BroadcastOutcome.Completed, error));

        sessionToken.ThrowIfCancellationRequested();
    }

    /// <summary>Runs the silent self-test (<see cref="SilentSelfTest"/>) and reports how it ended.</summary>
    private async Task RunSilentSelfTestAsync(BroadcastEntry entry, CancellationToken sessionToken)
    {
        var token = entry.Cancellation.Token;
        var problems = new List<string>();
        string outcome;
        SetPhase(BroadcastPhase.SelfTest);
        try
        {
            await SilentSelfTest.RunAsync(_output, _options, _library, problems, MessagesChecked, token).ConfigureAwait(false);
            outcome = problems.Count == 0 ? "passed" : "failed";
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            lock (_gate)
            {
                outcome = entry.CancelReason == BroadcastOutcome.Preempted ? "interrupted" : _stopping.IsCancellationRequested ? "shutdown" : "stopped";
            }
        }
        finally
        {
            _output.SwitchAllOff();
            lock (_gate)
            {
                _current = null;
            }

            entry.Cancellation.Dispose();
        }

        ReportSelfTest(silent: true, outcome, problems);
        RaiseEnded(new BroadcastEnd(entry.Request.Id, outcome, outcome == "passed", problems.Count == 0 ? null : string.Join("; ", problems)));
        sessionToken.ThrowIfCancellationRequested();
    }

    private void MessagesChecked(IReadOnlyList<string> unplayable)
    {
        lock (_gate)
        {
            _problems = unplayable;
        }
    }

    /// <summary>What an attempt's end does to the obligation it played for.</summary>
    private void Settle(BroadcastEntry entry, BroadcastOutcome outcome)
    {
        var request = entry.Request;
        WarningObligation owed;
        TimeSpan? retry = null;
        lock (_gate)
        {
            if (_owed.Current is not { } current || !_owed.Owes(request))
            {
                return;
            }

            owed = current;
            switch (outcome)
            {
                case BroadcastOutcome.Completed or BroadcastOutcome.Fallback:
                    _owed.Set(null);
                    break;
                case BroadcastOutcome.Preempted when !_queue.Contains(request.Key!):
                    // From the start of the message, with the repeats not yet finished; after whatever outranks it.
                    var rest = Math.Max(1, request.Repeat - entry.RepeatsPlayed);
                    _queue.Add(new BroadcastEntry(request with { Repeat = rest }, resumed: true));
                    Log.ObligationResumed(_logger, owed.Key, "preempted", rest);
                    return;
                case BroadcastOutcome.Failed:
                    retry = _owed.Failed();
                    break;
                default:
                    // Shutdown: still owed, saved, and played after the restart.
                    return;
            }
        }

        if (retry is { } delay)
        {
            Log.ObligationRetry(_logger, owed.Key, delay);
            _ = RetryAsync(owed, request, delay);
            return;
        }

        Log.ObligationDischarged(_logger, owed.Key, outcome == BroadcastOutcome.Completed ? "completed" : "the siren stood in for it");
        Changed?.Invoke(this, EventArgs.Empty);
    }

    private async Task RetryAsync(WarningObligation owed, BroadcastRequest request, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _time, _stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return; // shutting down: it stays owed and plays after the restart
        }

        lock (_gate)
        {
            if (!ReferenceEquals(_owed.Current, owed))
            {
                return; // the level changed or an operator stopped it meanwhile
            }
        }

        Log.ObligationResumed(_logger, owed.Key, "retry after a failure", request.Repeat);
        EnqueueEntry(request, resumed: true);
    }

    private bool HasPlayableHead()
    {
        lock (_gate)
        {
            return _queue.HasPlayableHead;
        }
    }

    private BroadcastEntry? TryTakeNext(bool allowSilentTest)
    {
        lock (_gate)
        {
            if (_queue.Count == 0 || (_queue.HeadIsSilent && !allowSilentTest) || _session is null)
            {
                return null;
            }

            var entry = _queue.TakeHead();
            entry.Cancellation.Dispose();
            entry.Cancellation = CancellationTokenSource.CreateLinkedTokenSource(_session.Token);
            entry.StartedAt = _time.GetUtcNow();
            _current = entry;
            return entry;
        }
    }

    /// <summary>Removes waiting automatic level broadcasts and ends the playing one (the station is back to none).</summary>
    private bool DropLevelBroadcasts()
    {
        CancellationTokenSource? cancel = null;
        bool any;
        lock (_gate)
        {
            any = _queue.RemoveAll(e => LevelPolicy.IsLevelBroadcast(e.Request)) > 0;
            if (_current is { CancelReason: null } current && LevelPolicy.IsLevelBroadcast(current.Request))
            {
                current.CancelReason = BroadcastOutcome.Superseded;
                cancel = current.Cancellation;
                any = true;
            }
        }

        Cancel(cancel);
        return any;
    }

    private void SetPhase(BroadcastPhase phase)
    {
        lock (_gate)
        {
            _phase = phase;
        }
    }

    private static void Cancel(CancellationTokenSource? source)
    {
        try
        {
            source?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The broadcast ended on its own meanwhile.
        }
    }

    private void ReportSelfTest(bool silent, string outcome, IReadOnlyList<string> problems)
    {
        var report = new SelfTestReport(_time.GetUtcNow(), silent, outcome, problems);
        lock (_gate)
        {
            _lastSelfTest = report;
        }

        _events.SelfTest(report, _sink.Description, _options.Zones);
    }

    private void RaiseEnded(BroadcastEnd end)
    {
        try
        {
            Ended?.Invoke(end);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Someone waiting for the outcome must not break the loop that plays the warnings.
            Log.EndedListenerFailed(_logger, e, end.Id);
        }
    }

    private sealed class SessionContext(DateTimeOffset warmUntil)
    {
        public DateTimeOffset WarmUntil { get; } = warmUntil;

        public bool ZonesOn { get; set; }

        /// <summary>The last broadcast ended by itself: the next one waits for the gap.</summary>
        public bool GapDue { get; set; }

        /// <summary>When the last broadcast ended.</summary>
        public DateTimeOffset QuietSince { get; set; }
    }

    private bool IsOwed(BroadcastEntry entry)
    {
        lock (_gate)
        {
            return _owed.Owes(entry.Request);
        }
    }
}
