using EdgeGateway.Hardware.Audio;
using EdgeGateway.Hardware.Relays;

namespace EdgeGateway.Broadcast.Internal;

/// <summary>
/// The sequencing of a broadcast session, beside the <see cref="BroadcastController"/>'s loop: amplifier on, warm-up,
/// zones on, each message with its repeats separated by the gap (and the gap between broadcasts that follow each
/// other), the tail, zones and amplifier off. Owed warnings fall back to the siren when their clip cannot be
/// loaded or the device chokes on it; a relay that fails to switch is reported and the session goes on
/// (<see cref="BroadcastOutput"/>). It takes work from the shared <see cref="BroadcastDesk"/>, and hands each
/// broadcast's end to the controller (<paramref name="settle"/> for the obligation, <paramref name="ended"/> for
/// whoever waits for the outcome).
/// </summary>
internal sealed class SessionRunner(
    BroadcastDesk desk,
    RelayBank relays,
    IAudioSink sink,
    BroadcastOutput output,
    BroadcastEvents events,
    TimeProvider time,
    Action<BroadcastEntry, BroadcastOutcome> settle,
    Action<BroadcastEnd> ended)
{
    private readonly BroadcastDesk _desk = desk;
    private readonly RelayBank _relays = relays;
    private readonly IAudioSink _sink = sink;
    private readonly BroadcastOutput _output = output;
    private readonly BroadcastEvents _events = events;
    private readonly TimeProvider _time = time;

    /// <summary>
    /// Runs one session from the head of the queue: the silent self-test on its own, or amplifier on, warm-up, zones on,
    /// each playable broadcast in turn (the gap between them), the tail, and every relay off whatever happened.
    /// </summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        bool silentTest;
        lock (_desk.Gate)
        {
            _desk.Session = session;
            silentTest = _desk.Queue.HeadIsSilent;
        }

        try
        {
            if (silentTest)
            {
                if (_desk.TryTakeNext(allowSilentTest: true) is { } test)
                {
                    await RunSilentSelfTestAsync(test, session.Token, stoppingToken).ConfigureAwait(false);
                }

                return;
            }

            _desk.SetPhase(BroadcastPhase.WarmingUp);
            _output.TrySwitch("amplifier", () => _relays.Amplifier(true));
            var context = new SessionContext(_time.GetUtcNow() + _desk.Options.Warmup);
            while (true)
            {
                while (_desk.HasPlayableHead())
                {
                    if (context.GapDue && _desk.Options.Gap - (_time.GetUtcNow() - context.QuietSince) is { } rest && rest > TimeSpan.Zero)
                    {
                        // One broadcast after another gets the same gap as repeats (the tail counts towards
                        // it); whatever ranks highest when the gap ends plays next.
                        _desk.SetPhase(BroadcastPhase.Gap);
                        await _output.Bounded(_sink.PauseAsync(rest, session.Token), rest).ConfigureAwait(false);
                    }

                    if (_desk.TryTakeNext(allowSilentTest: false) is not { } entry)
                    {
                        break;
                    }

                    await PlayAsync(entry, context, session.Token, stoppingToken).ConfigureAwait(false);
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
            lock (_desk.Gate)
            {
                _desk.Session = null;
                _desk.Current = null;
                _desk.Phase = BroadcastPhase.Idle;
            }
        }
    }

    /// <summary>
    /// Holds the relays for the tail (silence on live speakers); returns true if a broadcast arrived
    /// meanwhile and the session goes on without switching off.
    /// </summary>
    private async Task<bool> TailAsync(CancellationToken cancellationToken)
    {
        _desk.SetPhase(BroadcastPhase.Tail);
        var start = _time.GetUtcNow();
        while (true)
        {
            Task signal;
            lock (_desk.Gate)
            {
                if (_desk.Queue.HasPlayableHead)
                {
                    return true;
                }

                signal = _desk.Queue.Added;
            }

            var remaining = _desk.Options.Tail - (_time.GetUtcNow() - start);
            if (remaining <= TimeSpan.Zero)
            {
                return false;
            }

            using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _ = signal.ContinueWith(static (_, state) => BroadcastDesk.Cancel((CancellationTokenSource)state!), wake, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
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

    private async Task PlayAsync(BroadcastEntry entry, SessionContext context, CancellationToken sessionToken, CancellationToken stoppingToken)
    {
        var request = entry.Request;
        var token = entry.Cancellation.Token;
        var gap = _desk.Options.Gap; // a reload changes the next broadcast, not this one
        var outcome = BroadcastOutcome.Completed;
        var fallback = false;
        string? error = null;
        bool owed;
        lock (_desk.Gate)
        {
            owed = _desk.Owed.Owes(request);
        }

        _events.Started(entry, _desk.IsOwed(entry));
        try
        {
            AudioClip clip;
            try
            {
                clip = await _output.Loading(_desk.Library.LoadAsync(request, token)).ConfigureAwait(false);
            }
            catch (ClipUnavailableException ex) when (owed)
            {
                // The siren stands in only for a warning the village is owed, never for what a person asked for.
                clip = _output.Siren;
                fallback = true;
                error = ex.Message;
                _events.Failed(entry, _desk.IsOwed(entry), "clip-unavailable", ex.Message, "siren");
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
                    _desk.SetPhase(BroadcastPhase.Gap);
                    await _output.Bounded(_sink.PauseAsync(gap, token), gap).ConfigureAwait(false);
                }

                _desk.SetPhase(BroadcastPhase.Playing);
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
                    _events.Failed(entry, _desk.IsOwed(entry), "audio-device", ex.Message, "siren");
                    await _output.Bounded(_sink.PlayAsync(clip, muted: false, token), clip.Duration).ConfigureAwait(false);
                }

                lock (_desk.Gate)
                {
                    entry.RepeatsPlayed = i + 1;
                }
            }

            outcome = fallback ? BroadcastOutcome.Fallback : BroadcastOutcome.Completed;
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            lock (_desk.Gate)
            {
                outcome = entry.CancelReason ?? (stoppingToken.IsCancellationRequested ? BroadcastOutcome.Shutdown : BroadcastOutcome.Stopped);
            }
        }
        catch (ClipUnavailableException ex)
        {
            outcome = BroadcastOutcome.Failed;
            error = ex.Message;
            _events.Failed(entry, _desk.IsOwed(entry), "clip-unavailable", ex.Message, "none");
        }
        catch (AudioDeviceException ex)
        {
            outcome = BroadcastOutcome.Failed;
            error = ex.Message;
            _events.Failed(entry, _desk.IsOwed(entry), "audio-device", ex.Message, "none");
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            outcome = BroadcastOutcome.Failed;
            error = ex.Message;
            _events.Failed(entry, _desk.IsOwed(entry), "internal", ex.Message, "none");
        }
        finally
        {
            lock (_desk.Gate)
            {
                if (_desk.Current == entry)
                {
                    _desk.Current = null;
                }
            }

            entry.Cancellation.Dispose();
        }

        context.GapDue = outcome is not (BroadcastOutcome.Preempted or BroadcastOutcome.Superseded);
        context.QuietSince = _time.GetUtcNow();
        _events.Finished(entry, _desk.IsOwed(entry), outcome, error);
        settle(entry, outcome);
        var name = outcome.ToString().ToLowerInvariant();
        if (request.Origin == BroadcastOrigin.Test)
        {
            var problems = error is null ? Array.Empty<string>() : [error];
            name = outcome == BroadcastOutcome.Completed ? "passed" : name;
            ReportSelfTest(silent: false, name, problems);
        }

        ended(new BroadcastEnd(request.Id, name, outcome == BroadcastOutcome.Completed, error));

        sessionToken.ThrowIfCancellationRequested();
    }

    /// <summary>Runs the silent self-test (<see cref="SilentSelfTest"/>) and reports how it ended.</summary>
    private async Task RunSilentSelfTestAsync(BroadcastEntry entry, CancellationToken sessionToken, CancellationToken stoppingToken)
    {
        var token = entry.Cancellation.Token;
        var problems = new List<string>();
        string outcome;
        _desk.SetPhase(BroadcastPhase.SelfTest);
        try
        {
            await SilentSelfTest.RunAsync(_output, _desk.Options, _desk.Library, problems, _desk.SetProblems, token).ConfigureAwait(false);
            outcome = problems.Count == 0 ? "passed" : "failed";
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            lock (_desk.Gate)
            {
                outcome = entry.CancelReason == BroadcastOutcome.Preempted ? "interrupted" : stoppingToken.IsCancellationRequested ? "shutdown" : "stopped";
            }
        }
        finally
        {
            _output.SwitchAllOff();
            lock (_desk.Gate)
            {
                _desk.Current = null;
            }

            entry.Cancellation.Dispose();
        }

        ReportSelfTest(silent: true, outcome, problems);
        ended(new BroadcastEnd(entry.Request.Id, outcome, outcome == "passed", problems.Count == 0 ? null : string.Join("; ", problems)));
        sessionToken.ThrowIfCancellationRequested();
    }

    private void ReportSelfTest(bool silent, string outcome, IReadOnlyList<string> problems)
    {
        var report = new SelfTestReport(_time.GetUtcNow(), silent, outcome, problems);
        lock (_desk.Gate)
        {
            _desk.LastSelfTest = report;
        }

        _events.SelfTest(report, _sink.Description, _desk.Options.Zones);
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
}
