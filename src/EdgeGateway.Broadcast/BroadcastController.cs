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
/// The controller keeps the worker loop, <see cref="Reconfigure"/> and <see cref="State"/>, and takes requests and
/// level changes; beside it, each in its own type (Internal/): the state it shares with the session under one lock
/// (<c>BroadcastDesk</c>: the queue, what plays, the obligation), the session's sequencing (<c>SessionRunner</c>:
/// warm-up, zones, repeats, gap, tail, siren fallback), the obligation's keeping (<c>WarningDuty</c>: owe, restore,
/// settle, retry), the level policy, the silent self-test and its schedule, the relays and sink with their bounded
/// waits, and the events.
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

    private readonly BroadcastDesk _desk;
    private volatile LevelPolicy _levels;
    private readonly RelayBank _relays;
    private readonly IAudioSink _sink;
    private readonly BroadcastOutput _output;
    private readonly BroadcastEvents _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SelfTestSchedule _schedule;
    private readonly WarningDuty _duty;
    private readonly SessionRunner _sessions;
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

        _desk = new BroadcastDesk(options, library, time, logger);
        _levels = new LevelPolicy(options);
        _relays = RelaysOff.Bank(gpio, options);
        _sink = sink;
        _events = new BroadcastEvents(events, time, logger);
        _output = new BroadcastOutput(_relays, sink, options.SirenDuration, _events, time);
        _schedule = new SelfTestSchedule(options.SelfTestPeriod, time);
        _duty = new WarningDuty(_desk, time, logger, () => Changed?.Invoke(this, EventArgs.Empty));
        _sessions = new SessionRunner(_desk, _relays, sink, _output, _events, time, _duty.Settle, RaiseEnded);
        _time = time;
        _logger = logger;
    }

    public MessageLibrary Messages => _desk.Library;

    /// <summary>The station's alert levels in force (their broadcasts as last reloaded).</summary>
    public AlertLevels Levels => _desk.Options.Levels;

    /// <summary>The broadcast the village is owed now, if any.</summary>
    public WarningObligation? Current
    {
        get
        {
            lock (_desk.Gate)
            {
                return _desk.Owed.Current;
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

        var running = _desk.Options;
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

        lock (_desk.Gate)
        {
            _desk.Library = _desk.Library.With(next);
            _desk.Options = next;
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
            lock (_desk.Gate)
            {
                return new BroadcastState(
                    _desk.Phase,
                    _desk.Current?.ToItem(),
                    _desk.Queue.Items(),
                    _relays.AmplifierOn,
                    _relays.ZoneStates,
                    _sink.Description,
                    _desk.LastSelfTest,
                    _desk.Problems,
                    _desk.Owed.Current);
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

        Log.BroadcastReady(_logger, _desk.Options.AmplifierPin, _desk.Options.Zones.Count, _sink.Description);
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
            var superseded = _desk.DropLevelBroadcasts();
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

        lock (_desk.Gate)
        {
            // A pending all-clear no longer says the truth.
            _desk.Queue.RemoveAll(e => e.Request.Key == WarningObligation.AllClearKey);
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
        _duty.Restore(owed, stationLevel);
    }

    /// <summary>Puts in force what a change to <paramref name="toLevel"/> owes; true when the obligation changed.</summary>
    private bool Owe(AlertLevel fromLevel, AlertLevel toLevel, bool allClear) =>
        _duty.Owe(_levels.Owed(fromLevel, toLevel, allClear, _time.GetUtcNow()), toLevel.Id);

    /// <summary>Queues a request (preempting the one playing if it ranks higher).</summary>
    /// <exception cref="ArgumentException">The request is malformed (see <see cref="BroadcastRequest.Problem"/>).</exception>
    public EnqueueResult Enqueue(BroadcastRequest request) => _desk.Enqueue(request, resumed: false);

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
        lock (_desk.Gate)
        {
            owed = _desk.Owed.Current;
            _desk.Owed.Set(null);
            droppedIds = [.. _desk.Queue.Clear().Select(e => e.Request.Id)];
            dropped = droppedIds.Length;
            stopped = _desk.Current?.ToItem();
            if (_desk.Current is { CancelReason: null } current)
            {
                current.CancelReason = BroadcastOutcome.Stopped;
            }

            session = _desk.Session;
        }

        BroadcastDesk.Cancel(session);
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
        _duty.Stopping = stoppingToken;
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
                await _sessions.RunAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _output.SwitchAllOff();
            int dropped;
            lock (_desk.Gate)
            {
                dropped = _desk.Queue.Clear().Count;
                _desk.Phase = BroadcastPhase.Idle;
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
        var problems = await _desk.Library.CheckAllAsync(cancellationToken).ConfigureAwait(false);
        _desk.SetProblems(problems);
        _events.MessageProblems(problems);
    }

    private async Task WaitForWorkAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task signal;
            lock (_desk.Gate)
            {
                if (_desk.Queue.Count > 0)
                {
                    return;
                }

                signal = _desk.Queue.Added;
            }

            await _output.Heartbeat.WaitBeatingAsync(signal.WaitAsync(cancellationToken), Timeout.InfiniteTimeSpan, BeatInterval, _time).ConfigureAwait(false);
        }
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
}
