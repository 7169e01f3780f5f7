using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Events;
using EdgeGateway.Hardware.Audio;
using EdgeGateway.Broadcast.Tests.Testing;
using EdgeGateway.Hardware.Tests.Testing;

namespace EdgeGateway.Broadcast.Tests;

/// <summary>Warning obligations: what the village is owed survives preemption, failures and restarts; only it may fall back to the siren.</summary>
public sealed class BroadcastObligationTests
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    private static void AssertHz(double expected, double actual) => Assert.InRange(actual, expected - 5, expected + 5);

    [Fact]
    public async Task Enqueue_HubPreemptsOwedEvacuate_EvacuateResumesFromStartOfMessageWithUnfinishedRepeats()
    {
        await using var rig = await new BroadcastRig().StartAsync();
        rig.Controller.OnStationLevelChanged("none", "evacuate");
        await rig.RunUntilAsync(() => rig.Controller.State is { Phase: BroadcastPhase.Playing, Current.RepeatsPlayed: 1 }, "second repeat");
        // Halfway through the second repeat: warm-up 2 + 2 + gap 3 + 1.
        await rig.Clock.AdvanceWithinAsync(S(1));
        Assert.Equal(S(8), rig.Clock.Elapsed);

        var hub = rig.Controller.Enqueue(BroadcastRequest.ForMessage("hub", 1, BroadcastOrigin.Hub));
        await rig.RunUntilIdleAsync();

        Assert.True(hub.Preempting);
        var started = rig.Events.EventsOf(StationEventTypes.BroadcastStarted);
        Assert.Equal(["evacuate", "hub", "evacuate"], started.Select(e => e.Source));
        Assert.Equal([false, false, true], started.Select(e => (bool)e.Data!["resumed"]!));
        Assert.Equal([true, false, true], started.Select(e => (bool)e.Data!["owed"]!));
        // Evacuate starts its session at once (sound after the warm-up); the hub message at once; evacuate
        // again after it and a gap, with the 4 repeats it had not finished.
        Assert.Equal([S(0), S(8), S(12)], started.Select(e => e.Time - TestClock.Epoch));
        Assert.Equal(4, started[2].Data!["repeat"]);
        var finished = rig.Events.EventsOf(StationEventTypes.BroadcastFinished);
        Assert.Equal(["preempted", "completed", "completed"], finished.Select(e => (string)e.Data!["outcome"]!));
        Assert.Equal(true, finished[2].Data!["resumed"]);
        Assert.Equal(4, finished[2].Data!["repeatsPlayed"]);
        Assert.Null(rig.Controller.Current);

        // The timeline: evacuate, gap, half of evacuate cut by the hub message, a gap, then evacuate 4 times whole.
        var samples = WavFile.Read(rig.TimelinePath, "t").Samples.Span;
        AssertHz(BroadcastRig.EvacuateHz, Timeline.FrequencyAt(samples, S(5), S(1)));
        AssertHz(BroadcastRig.HubHz, Timeline.FrequencyAt(samples, S(6), S(1)));
        var sounds = rig.Sounds();
        Assert.Equal(6, sounds.Count);
        Assert.All(sounds.Skip(2), s =>
        {
            AssertHz(BroadcastRig.EvacuateHz, s.FrequencyHz);
            Assert.InRange(s.Duration, S(1.99), S(2.01));
        });
        Assert.Equal(AudioClip.TimeToSamples(S(2 + 3 + 1 + 1 + 3 + 17 + 1)), samples.Length);
    }

    [Fact]
    public async Task Enqueue_OperatorPreemptsNonOwedBroadcast_NotResumed()
    {
        await using var rig = await new BroadcastRig().StartAsync();
        rig.Controller.Enqueue(BroadcastRequest.ForMessage("prepare", 3));
        await rig.RunUntilAsync(() => rig.Controller.State.Phase == BroadcastPhase.Playing, "playing");

        rig.Controller.Enqueue(BroadcastRequest.ForMessage("hub", 1, BroadcastOrigin.Hub) with { Rank = 5 });
        await rig.RunUntilIdleAsync();

        Assert.Equal(["prepare", "hub"], rig.Events.EventsOf(StationEventTypes.BroadcastStarted).Select(e => e.Source));
    }

    [Fact]
    public async Task OnStationLevelChanged_EvacuatePreemptsPrepare_PrepareNoLongerOwedAndNotResumed()
    {
        await using var rig = await new BroadcastRig().StartAsync();
        rig.Controller.OnStationLevelChanged("none", "prepare");
        await rig.RunUntilAsync(() => rig.Controller.State.Phase == BroadcastPhase.Playing, "prepare playing");

        rig.Controller.OnStationLevelChanged("prepare", "evacuate");
        Assert.Equal("level:evacuate", rig.Controller.Current?.Key);
        await rig.RunUntilIdleAsync();

        Assert.Equal(["prepare", "evacuate"], rig.Events.EventsOf(StationEventTypes.BroadcastStarted).Select(e => e.Source));
        Assert.Null(rig.Controller.Current);
    }

    [Fact]
    public async Task Restore_OwedEvacuateAfterRestart_PlaysFirstWithResumedFlagThenDischarges()
    {
        await using var rig = new BroadcastRig();
        var changed = 0;
        rig.Controller.Changed += (_, _) => Interlocked.Increment(ref changed);
        var owed = new WarningObligation("level:evacuate", "evacuate", 2, 3, TestClock.Epoch - S(30));

        rig.Controller.Restore(owed, "evacuate");
        rig.Controller.Test(silent: false);
        Assert.Same(owed, rig.Controller.Current);
        await rig.StartAsync();
        await rig.RunUntilIdleAsync();

        var started = rig.Events.EventsOf(StationEventTypes.BroadcastStarted);
        Assert.Equal(["evacuate", "test"], started.Select(e => e.Source));
        Assert.Equal(true, started[0].Data!["resumed"]);
        var finished = rig.Events.EventsOf(StationEventTypes.BroadcastFinished)[0];
        Assert.Equal("completed", finished.Data!["outcome"]);
        Assert.Equal(true, finished.Data["resumed"]);
        Assert.Equal(2, finished.Data["repeatsPlayed"]);
        Assert.Null(rig.Controller.Current);
        Assert.Equal(1, changed);
    }

    [Fact]
    public async Task Restore_ObligationOfAnotherLevel_DroppedAndNothingPlays()
    {
        await using var rig = await new BroadcastRig().StartAsync();
        var changed = 0;
        rig.Controller.Changed += (_, _) => Interlocked.Increment(ref changed);

        rig.Controller.Restore(new WarningObligation("level:evacuate", "evacuate", 2, 3, TestClock.Epoch), "prepare");

        Assert.Null(rig.Controller.Current);
        Assert.True(rig.Controller.State.IsIdle);
        Assert.Equal(1, changed);
    }

    [Fact]
    public async Task OnStationLevelChanged_ReturnToNone_AllClearOwedUntilItCompletes()
    {
        await using var rig = await new BroadcastRig().StartAsync();
        rig.Controller.OnStationLevelChanged("none", "prepare");
        Assert.Equal(new WarningObligation("level:prepare", "prepare", 3, 2, TestClock.Epoch), rig.Controller.Current);
        await rig.RunUntilAsync(() => rig.Controller.State.Phase == BroadcastPhase.Playing, "prepare playing");

        rig.Controller.OnStationLevelChanged("prepare", "none");
        Assert.Equal("all-clear", rig.Controller.Current?.Key);
        await rig.RunUntilIdleAsync();

        Assert.Null(rig.Controller.Current);
        Assert.Equal(["prepare", "all-clear"], rig.Events.EventsOf(StationEventTypes.BroadcastStarted).Select(e => e.Source));
    }

    [Fact]
    public async Task OnStationLevelChanged_ReturnToNoneWithoutAllClear_OwesAndPlaysNothing()
    {
        await using var rig = await new BroadcastRig().StartAsync();
        rig.Controller.OnStationLevelChanged("none", "evacuate");

        var result = rig.Controller.OnStationLevelChanged("evacuate", "none", allClear: false);
        await rig.RunUntilIdleAsync();

        Assert.Null(result);
        Assert.Null(rig.Controller.Current);
        Assert.DoesNotContain("all-clear", rig.Events.EventsOf(StationEventTypes.BroadcastStarted).Select(e => e.Source));
    }

    [Fact]
    public async Task OnStationLevelChanged_StepDown_EndsObligationAndPlaysNothingNew()
    {
        await using var rig = await new BroadcastRig().StartAsync();
        rig.Controller.OnStationLevelChanged("none", "evacuate");

        var down = rig.Controller.OnStationLevelChanged("evacuate", "prepare");

        Assert.Null(down);
        Assert.Null(rig.Controller.Current);
        await rig.RunUntilIdleAsync();
        Assert.Equal(["evacuate"], rig.Events.EventsOf(StationEventTypes.BroadcastStarted).Select(e => e.Source));
    }

    [Fact]
    public async Task Stop_DuringOwedBroadcast_DischargesObligationAndNothingResumes()
    {
        await using var rig = await new BroadcastRig().StartAsync();
        rig.Controller.OnStationLevelChanged("none", "evacuate");
        rig.Controller.Enqueue(BroadcastRequest.ForMessage("hub", 1, BroadcastOrigin.Hub));
        await rig.RunUntilAsync(() => rig.Controller.State.Current?.Message == "hub", "hub playing, evacuate waiting to resume");
        Assert.Equal("level:evacuate", rig.Controller.Current?.Key);
        var changed = 0;
        rig.Controller.Changed += (_, _) => Interlocked.Increment(ref changed);

        rig.Controller.Stop();
        await rig.RunUntilIdleAsync();

        Assert.Null(rig.Controller.Current);
        Assert.Equal(1, changed);
        // Evacuate may have begun before the hub's message preempted it; either way it never plays again.
        var started = rig.Events.EventsOf(StationEventTypes.BroadcastStarted);
        Assert.Equal("hub", started[^1].Source);
        Assert.DoesNotContain(started, e => (bool)e.Data!["resumed"]!);
        Assert.Equal("stopped", rig.Events.EventsOf(StationEventTypes.BroadcastFinished)[^1].Data!["outcome"]);
    }

    [Fact]
    public async Task OnStationLevelChanged_OwedBroadcastAndSirenBothFail_StaysOwedAndIsRetriedWithBackoff()
    {
        await using var rig = await new BroadcastRig(wrapSink: inner => new DeadSink(inner)).StartAsync();

        rig.Controller.OnStationLevelChanged("none", "evacuate");
        await rig.RunUntilAsync(() => rig.Events.Count(StationEventTypes.BroadcastFinished) == 3, "three attempts");

        var finished = rig.Events.EventsOf(StationEventTypes.BroadcastFinished);
        Assert.All(finished, e => Assert.Equal("failed", e.Data!["outcome"]));
        var started = rig.Events.EventsOf(StationEventTypes.BroadcastStarted).Select(e => e.Time - TestClock.Epoch).ToList();
        Assert.Equal([false, true, true], rig.Events.EventsOf(StationEventTypes.BroadcastStarted).Select(e => (bool)e.Data!["resumed"]!));
        // Each attempt fails at once (after the warm-up); the next waits 30 s, then 60 s, plus the next session's warm-up
        // (2 s). The test clock jumps to the next pending timer while the controller may still be busy, so an attempt can
        // start up to 2 s either side of that; a back-off of any other length (none, or doubled from 60 s) falls outside.
        Assert.InRange(started[1] - started[0], S(2 + 30 - 2), S(2 + 30 + 2));
        Assert.InRange(started[2] - started[1], S(2 + 60 - 2), S(2 + 60 + 2));
        Assert.Equal("level:evacuate", rig.Controller.Current?.Key);

        rig.Controller.Stop();
        Assert.Null(rig.Controller.Current);
    }

    [Fact]
    public async Task Enqueue_OperatorSayWithSpeechUnavailable_FailsWithoutSiren()
    {
        await using var rig = await new BroadcastRig(speechExecutable: "/nonexistent/espeak-ng").StartAsync();

        rig.Controller.Enqueue(BroadcastRequest.ForText("testing the microphone"));
        await rig.RunUntilIdleAsync();

        var failed = Assert.Single(rig.Events.EventsOf(StationEventTypes.BroadcastFailed));
        Assert.Equal("clip-unavailable", failed.Data!["reason"]);
        Assert.Equal("none", failed.Data["fallback"]);
        var finished = Assert.Single(rig.Events.EventsOf(StationEventTypes.BroadcastFinished));
        Assert.Equal("failed", finished.Data!["outcome"]);
        Assert.Empty(rig.Sounds());
    }

    [Fact]
    public async Task Test_AudibleWithSpeechUnavailable_FailsWithoutSiren()
    {
        await using var rig = await new BroadcastRig(o => o.Messages.Remove("test"), speechExecutable: "/nonexistent/espeak-ng").StartAsync();

        rig.Controller.Test(silent: false);
        await rig.RunUntilAsync(() => rig.Events.EventsOf(StationEventTypes.SelfTest).Any(e => e.Data!["silent"] is false), "audible test report");
        await rig.RunUntilIdleAsync();

        Assert.Equal("failed", rig.Events.EventsOf(StationEventTypes.BroadcastFinished).Single().Data!["outcome"]);
        Assert.Equal("failed", rig.Events.EventsOf(StationEventTypes.SelfTest).Single(e => e.Data!["silent"] is false).Data!["outcome"]);
        Assert.Empty(rig.Sounds());
    }

    /// <summary>
    /// An audio device that refuses every clip, the siren too. Pauses still take their time, as every real
    /// sink's do (the tail and gaps are waits on the clock, not sound).
    /// </summary>
    private sealed class DeadSink(IAudioSink inner) : IAudioSink
    {
        public string Description => "dead";

        public Task PlayAsync(AudioClip clip, bool muted, CancellationToken cancellationToken) =>
            throw new AudioDeviceException("aplay exited with code 1: audio open error: No such device");

        public Task PauseAsync(TimeSpan duration, CancellationToken cancellationToken) => inner.PauseAsync(duration, cancellationToken);
    }
}
