using System.Device.Gpio;
using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Events;
using EdgeGateway.Hardware.Audio;
using EdgeGateway.Broadcast.Tests.Testing;
using EdgeGateway.Hardware.Tests.Testing;

namespace EdgeGateway.Broadcast.Tests;

public sealed class BroadcastControllerTests
{
    private const int Pin5 = BroadcastRig.AmplifierPin;
    private const int Pin6 = BroadcastRig.VillagePin;
    private const int Pin13 = BroadcastRig.SchoolPin;

    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public async Task StartAsync_RelaysLeftOnByAnEarlierRun_DrivesThemOff()
    {
        await using var rig = new BroadcastRig();
        rig.Gpio.OpenPin(Pin5, PinMode.Output, PinValue.High);
        rig.Gpio.OpenPin(Pin6, PinMode.Output, PinValue.High);

        await rig.StartAsync();

        Assert.Equal(PinValue.Low, rig.Driver.Peek(Pin5));
        Assert.Equal(PinValue.Low, rig.Driver.Peek(Pin6));
        Assert.Equal(PinValue.Low, rig.Driver.Peek(Pin13));
        Assert.Equal(BroadcastPhase.Idle, rig.Controller.State.Phase);
    }

    [Fact]
    public async Task OnStationLevelChanged_RiseToPrepare_SwitchesRelaysInOrderWithWarmupAndTail()
    {
        await using var rig = await new BroadcastRig().StartAsync();

        rig.Controller.OnStationLevelChanged("none", "prepare");
        await rig.RunUntilIdleAsync();

        // 3 x 1.5 s with two 3 s gaps = 10.5 s of speaker time after a 2 s warm-up; then a 1 s tail.
        var end = S(2 + 10.5 + 1);
        Assert.Equal(
            [(Pin5, true, S(0)), (Pin6, true, S(2)), (Pin13, true, S(2)), (Pin13, false, end), (Pin6, false, end), (Pin5, false, end)],
            rig.RelayChanges());
    }

    [Fact]
    public async Task OnStationLevelChanged_RiseToPrepare_TimelineHoldsEachRepeatAndGapsAndNothingElse()
    {
        await using var rig = await new BroadcastRig().StartAsync();

        rig.Controller.OnStationLevelChanged("none", "prepare");
        await rig.RunUntilIdleAsync();

        var segments = rig.Segments();
        Assert.Equal([true, false, true, false, true, false], segments.Select(s => s.Sound));
        foreach (var sound in segments.Where(s => s.Sound))
        {
            Assert.InRange(sound.Length, AudioClip.TimeToSamples(BroadcastRig.PrepareLength) - 2, AudioClip.TimeToSamples(BroadcastRig.PrepareLength));
            Assert.InRange(sound.FrequencyHz, BroadcastRig.PrepareHz - 5, BroadcastRig.PrepareHz + 5);
        }

        foreach (var gap in segments.Where(s => !s.Sound).SkipLast(1))
        {
            Assert.InRange(gap.Length, AudioClip.TimeToSamples(BroadcastRig.Gap), AudioClip.TimeToSamples(BroadcastRig.Gap) + 2);
        }

        // The tail: silence on live speakers, then the file ends with the session.
        Assert.InRange(segments[^1].Length, AudioClip.TimeToSamples(BroadcastRig.Tail), AudioClip.TimeToSamples(BroadcastRig.Tail) + 2);
        var total = WavFile.Read(rig.TimelinePath, "t").Samples.Length;
        Assert.Equal(AudioClip.TimeToSamples(S(10.5 + 1)), total);
        var started = Assert.Single(rig.Events.EventsOf(StationEventTypes.BroadcastStarted));
        Assert.Equal("prepare", started.Source);
        var finished = Assert.Single(rig.Events.EventsOf(StationEventTypes.BroadcastFinished));
        Assert.Equal(true, finished.Data!["completed"]);
        Assert.Equal(3, finished.Data["repeatsPlayed"]);
        Assert.Equal(0, rig.Events.Count(StationEventTypes.BroadcastFailed));
    }

    [Fact]
    public async Task OnStationLevelChanged_EvacuateWhilePreparePlays_PreemptsAtOnceWithRelaysOn()
    {
        await using var rig = await new BroadcastRig().StartAsync();
        rig.Controller.OnStationLevelChanged("none", "prepare");
        await rig.RunUntilAsync(() => rig.Controller.State is { Phase: BroadcastPhase.Playing, Current.RepeatsPlayed: 1 }, "second repeat");

        // Halfway through the second repeat: warm-up 2 + 1.5 + gap 3 + 0.75.
        await rig.Clock.AdvanceWithinAsync(S(0.75));
        Assert.Equal(S(7.25), rig.Clock.Elapsed);
        var result = rig.Controller.OnStationLevelChanged("prepare", "evacuate");
        await rig.RunUntilIdleAsync();

        Assert.NotNull(result);
        Assert.True(result.Preempting);
        var finished = rig.Events.EventsOf(StationEventTypes.BroadcastFinished);
        Assert.Equal(["prepare", "evacuate"], finished.Select(e => e.Source));
        Assert.Equal("preempted", finished[0].Data!["outcome"]);
        Assert.Equal(false, finished[0].Data!["completed"]);
        Assert.Equal(1, finished[0].Data!["repeatsPlayed"]);
        Assert.Equal(true, finished[1].Data!["completed"]);
        var evacuateStarted = rig.Events.EventsOf(StationEventTypes.BroadcastStarted)[1];
        Assert.Equal(S(7.25), evacuateStarted.Time - TestClock.Epoch);

        // Relays: on once, off once. Evacuate: 5 x 2 s + 4 x 3 s = 22 s from 7.25 s, then the tail.
        var end = S(7.25 + 22 + 1);
        Assert.Equal(
            [(Pin5, true, S(0)), (Pin6, true, S(2)), (Pin13, true, S(2)), (Pin13, false, end), (Pin6, false, end), (Pin5, false, end)],
            rig.RelayChanges());

        // The timeline: prepare, gap, 0.75 s of prepare, and evacuate straight after it.
        var samples = WavFile.Read(rig.TimelinePath, "t").Samples.Span;
        Assert.InRange(Timeline.FrequencyAt(samples, S(4.5), S(0.75)), 435, 445);
        Assert.InRange(Timeline.FrequencyAt(samples, S(5.25), S(2)), 875, 885);
        Assert.Equal(AudioClip.TimeToSamples(S(1.5 + 3 + 0.75 + 22 + 1)), samples.Length);
    }

    [Fact]
    public async Task Enqueue_AutomaticWhileHubBroadcastPlays_WaitsForItAndAGap()
    {
        await using var rig = await new BroadcastRig().StartAsync();
        var hub = rig.Controller.Enqueue(BroadcastRequest.ForMessage("hub", 1, BroadcastOrigin.Hub));
        await rig.RunUntilAsync(() => rig.Controller.State.Phase == BroadcastPhase.Playing, "hub playing");
        await rig.Clock.AdvanceWithinAsync(S(0.5));

        var evacuate = rig.Controller.OnStationLevelChanged("none", "evacuate");
        var test = rig.Controller.Test(silent: false);
        await rig.RunUntilIdleAsync();

        Assert.True(hub.Accepted);
        Assert.NotNull(evacuate);
        Assert.False(evacuate.Preempting);
        Assert.False(test.Preempting);
        var started = rig.Events.EventsOf(StationEventTypes.BroadcastStarted);
        Assert.Equal(["hub", "evacuate", "test"], started.Select(e => e.Source));
        // hub ends at 3 s, a 3 s gap, evacuate (22 s) ends at 28 s, a gap, the test.
        Assert.Equal(S(6), started[1].Time - TestClock.Epoch);
        Assert.Equal(S(31), started[2].Time - TestClock.Epoch);
        var finished = rig.Events.EventsOf(StationEventTypes.BroadcastFinished);
        Assert.All(finished, e => Assert.Equal(true, e.Data!["completed"]));
        var sounds = rig.Sounds();
        Assert.Equal(1 + 5 + 1, sounds.Count);
        Assert.InRange(sounds[0].FrequencyHz, BroadcastRig.HubHz - 5, BroadcastRig.HubHz + 5);
        Assert.InRange(sounds[^1].FrequencyHz, BroadcastRig.TestHz - 5, BroadcastRig.TestHz + 5);
    }

    [Fact]
    public async Task Enqueue_HubWhileEvacuatePlays_OutranksAutomaticAndPreempts()
    {
        await using var rig = await new BroadcastRig().StartAsync();
        rig.Controller.OnStationLevelChanged("none", "evacuate");
        await rig.RunUntilAsync(() => rig.Controller.State.Phase == BroadcastPhase.Playing, "evacuate playing");

        var hub = rig.Controller.Enqueue(BroadcastRequest.ForMessage("hub", 1, BroadcastOrigin.Hub));
        await rig.RunUntilIdleAsync();

        Assert.True(hub.Preempting);
        var finished = rig.Events.EventsOf(StationEventTypes.BroadcastFinished);
        Assert.Equal(["evacuate", "hub", "evacuate"], finished.Select(e => e.Source));
        Assert.Equal("preempted", finished[0].Data!["outcome"]);
        Assert.Equal("completed", finished[2].Data!["outcome"]);
        Assert.Equal(true, finished[2].Data!["resumed"]);
    }

    [Fact]
    public async Task OnStationLevelChanged_ManualButton_OutranksAutomaticLevelBroadcast()
    {
        await using var rig = await new BroadcastRig(o => o.Levels = o.Levels.With("extreme", new BroadcastCue("evacuate", 1))).StartAsync();
        rig.Controller.OnStationLevelChanged("none", "prepare", BroadcastOrigin.Manual);
        await rig.RunUntilAsync(() => rig.Controller.State.Phase == BroadcastPhase.Playing, "manual prepare playing");

        // A higher automatic level does not interrupt what a person started.
        var automatic = rig.Controller.OnStationLevelChanged("prepare", "extreme");
        await rig.RunUntilIdleAsync();

        Assert.NotNull(automatic);
        Assert.False(automatic.Preempting);
        Assert.Equal(["prepare", "evacuate"], rig.Events.EventsOf(StationEventTypes.BroadcastFinished).Select(e => e.Source));
        Assert.All(rig.Events.EventsOf(StationEventTypes.BroadcastFinished), e => Assert.Equal(true, e.Data!["completed"]));
    }

    [Fact]
    public async Task OnStationLevelChanged_SameLevelRaisedAgainWhilePlaying_DoesNotRestart()
    {
        await using var rig = await new BroadcastRig().StartAsync();
        rig.Controller.OnStationLevelChanged("none", "prepare");
        await rig.RunUntilAsync(() => rig.Controller.State.Phase == BroadcastPhase.Gap, "first gap");
        await rig.Clock.AdvanceWithinAsync(S(1.5));

        var down = rig.Controller.OnStationLevelChanged("prepare", "watch");
        var again = rig.Controller.OnStationLevelChanged("watch", "prepare");
        await rig.RunUntilIdleAsync();

        Assert.Null(down);
        Assert.NotNull(again);
        Assert.False(again.Accepted);
        Assert.Single(rig.Events.EventsOf(StationEventTypes.BroadcastStarted));
        Assert.Equal(3, rig.Sounds().Count);
        Assert.Equal(true, Assert.Single(rig.Events.EventsOf(StationEventTypes.BroadcastFinished)).Data!["completed"]);
    }

    [Fact]
    public async Task Stop_DuringBroadcast_EndsItSwitchesOffAtOnceAndEmptiesQueue()
    {
        await using var rig = await new BroadcastRig().StartAsync();
        rig.Controller.OnStationLevelChanged("none", "prepare");
        await rig.RunUntilAsync(() => rig.Controller.State.Phase == BroadcastPhase.Gap, "first gap");
        await rig.Clock.AdvanceWithinAsync(S(0.5));
        rig.Controller.Test(silent: false);

        var (stopped, dropped) = rig.Controller.Stop();
        await rig.RunUntilIdleAsync();

        Assert.Equal("prepare", stopped?.Message);
        Assert.Equal(1, dropped);
        Assert.Equal((Pin5, false, S(4)), rig.RelayChanges()[^1]);
        var finished = Assert.Single(rig.Events.EventsOf(StationEventTypes.BroadcastFinished));
        Assert.Equal("stopped", finished.Data!["outcome"]);
        Assert.Equal(false, finished.Data["completed"]);
        Assert.Single(rig.Events.EventsOf(StationEventTypes.BroadcastStarted));
        Assert.Empty(rig.Controller.State.Queue);
    }

    [Fact]
    public async Task OnStationLevelChanged_ReturnToNone_EndsLevelBroadcastAndPlaysAllClear()
    {
        await using var rig = await new BroadcastRig().StartAsync();
        rig.Controller.OnStationLevelChanged("none", "evacuate");
        await rig.RunUntilAsync(() => rig.Controller.State.Phase == BroadcastPhase.Gap, "first gap");
        await rig.Clock.AdvanceWithinAsync(S(1));

        var allClear = rig.Controller.OnStationLevelChanged("evacuate", "none");
        await rig.RunUntilIdleAsync();

        Assert.NotNull(allClear);
        var finished = rig.Events.EventsOf(StationEventTypes.BroadcastFinished);
        Assert.Equal(["evacuate", "all-clear"], finished.Select(e => e.Source));
        Assert.Equal("superseded", finished[0].Data!["outcome"]);
        Assert.Equal(true, finished[1].Data!["completed"]);
        var sounds = rig.Sounds();
        Assert.Equal(3, sounds.Count);
        Assert.InRange(sounds[0].FrequencyHz, BroadcastRig.EvacuateHz - 5, BroadcastRig.EvacuateHz + 5);
        Assert.All(sounds.Skip(1), s => Assert.InRange(s.FrequencyHz, BroadcastRig.AllClearHz - 5, BroadcastRig.AllClearHz + 5));
        // evacuate 2..4 s, 1 s of its gap, then the all-clear at once at 5 s.
        Assert.InRange(sounds[1].Start, AudioClip.TimeToSamples(S(2 + 1)), AudioClip.TimeToSamples(S(2 + 1)) + 2);
    }

    [Fact]
    public async Task OnStationLevelChanged_MissingClip_SoundsSirenAndReportsFailure()
    {
        await using var rig = await new BroadcastRig(o => o.Messages["prepare"] = new MessageOptions(File: "/nonexistent/audio/prepare.wav")).StartAsync();

        rig.Controller.OnStationLevelChanged("none", "prepare");
        await rig.RunUntilIdleAsync();

        var failed = Assert.Single(rig.Events.EventsOf(StationEventTypes.BroadcastFailed));
        Assert.Equal("clip-unavailable", failed.Data!["reason"]);
        Assert.Equal("siren", failed.Data["fallback"]);
        Assert.Contains("file not found", (string)failed.Data["error"]!, StringComparison.Ordinal);
        var finished = Assert.Single(rig.Events.EventsOf(StationEventTypes.BroadcastFinished));
        Assert.Equal(false, finished.Data!["completed"]);
        Assert.Equal("fallback", finished.Data["outcome"]);
        Assert.Equal(3, finished.Data["repeatsPlayed"]);

        var sounds = rig.Sounds();
        Assert.Equal(3, sounds.Count);
        Assert.All(sounds, s =>
        {
            Assert.InRange(s.Duration, S(3.99), S(4.01));
            Assert.InRange(s.FrequencyHz, SirenTone.LowHz, SirenTone.HighHz);
            Assert.True(s.Peak > 20_000, $"siren peak {s.Peak}");
        });
    }

    [Fact]
    public async Task OnStationLevelChanged_AudioDeviceFailsOnOwedMessage_FallsBackToSiren()
    {
        await using var rig = await new BroadcastRig(wrapSink: s => new FailingFirstPlaySink(s)).StartAsync();

        rig.Controller.OnStationLevelChanged("none", "prepare");
        await rig.RunUntilIdleAsync();

        var failed = Assert.Single(rig.Events.EventsOf(StationEventTypes.BroadcastFailed));
        Assert.Equal("audio-device", failed.Data!["reason"]);
        Assert.Equal("siren", failed.Data["fallback"]);
        var finished = Assert.Single(rig.Events.EventsOf(StationEventTypes.BroadcastFinished));
        Assert.Equal("fallback", finished.Data!["outcome"]);
        var sounds = rig.Sounds();
        Assert.Equal(3, sounds.Count);
        Assert.All(sounds, s => Assert.InRange(s.Duration, S(3.99), S(4.01)));
        // The siren stood in: the warning was given, nothing is owed any more.
        Assert.Null(rig.Controller.Current);
    }

    [Fact]
    public async Task Enqueue_AudioDeviceFailsOnOperatorMessage_EndsFailedWithoutSiren()
    {
        await using var rig = await new BroadcastRig(wrapSink: s => new FailingFirstPlaySink(s)).StartAsync();

        rig.Controller.Enqueue(BroadcastRequest.ForMessage("hub", 2));
        await rig.RunUntilIdleAsync();

        var failed = Assert.Single(rig.Events.EventsOf(StationEventTypes.BroadcastFailed));
        Assert.Equal("audio-device", failed.Data!["reason"]);
        Assert.Equal("none", failed.Data["fallback"]);
        var finished = Assert.Single(rig.Events.EventsOf(StationEventTypes.BroadcastFinished));
        Assert.Equal("failed", finished.Data!["outcome"]);
        Assert.Equal(false, finished.Data["owed"]);
        Assert.Empty(rig.Sounds());
    }

    [Fact]
    public async Task StopAsync_MidBroadcast_LeavesAmplifierOffAndReportsShutdown()
    {
        await using var rig = await new BroadcastRig().StartAsync();
        rig.Controller.OnStationLevelChanged("none", "evacuate");
        await rig.RunUntilAsync(() => rig.Controller.State.Phase == BroadcastPhase.Playing, "evacuate playing");
        await rig.Clock.AdvanceWithinAsync(S(1));
        Assert.True(rig.AmplifierOn);

        await rig.StopHostAsync();

        Assert.False(rig.AmplifierOn);
        Assert.False(rig.AnyZoneOn);
        var finished = Assert.Single(rig.Events.EventsOf(StationEventTypes.BroadcastFinished));
        Assert.Equal("shutdown", finished.Data!["outcome"]);
        Assert.Equal(false, finished.Data["completed"]);
    }

    [Fact]
    public async Task Test_Silent_ExercisesRelaysWithoutZoneOnWhileAmplifierPoweredAndWritesNoAudio()
    {
        await using var rig = await new BroadcastRig().StartAsync();

        rig.Controller.Test(silent: true);
        await rig.RunUntilIdleAsync();

        var changes = rig.RelayChanges();
        Assert.Contains((Pin6, true, S(0)), changes);
        Assert.Contains((Pin13, true, S(0.3)), changes);
        Assert.Contains((Pin5, true, S(0.6)), changes);
        var on = new HashSet<int>();
        foreach (var (pin, isOn, at) in changes)
        {
            if (isOn)
            {
                on.Add(pin);
            }
            else
            {
                on.Remove(pin);
            }

            Assert.False(on.Contains(Pin5) && (on.Contains(Pin6) || on.Contains(Pin13)), $"a zone was on with the amplifier powered at {at}");
        }

        Assert.Empty(rig.Sounds());
        var report = Assert.Single(rig.Events.EventsOf(StationEventTypes.SelfTest));
        Assert.Equal(true, report.Data!["silent"]);
        Assert.Equal("passed", report.Data["outcome"]);
        Assert.Empty(rig.Events.EventsOf(StationEventTypes.BroadcastStarted));
        Assert.Equal("passed", rig.Controller.State.LastSelfTest?.Outcome);
    }

    [Fact]
    public async Task ExecuteAsync_SelfTestPeriodElapses_RunsSilentSelfTestAndReportsMissingClip()
    {
        await using var rig = await new BroadcastRig(o =>
        {
            o.SelfTestPeriod = TimeSpan.FromDays(7);
            o.Messages["all-clear"] = new MessageOptions(File: "/nonexistent/all-clear.wav");
        }).StartAsync();
        // The start-up check already reports the missing file.
        await rig.RunUntilAsync(() => rig.Events.Count(StationEventTypes.SelfTest) == 1, "start-up message check");

        await rig.Clock.RunUntilAsync(() => rig.Clock.Elapsed >= TimeSpan.FromDays(7), TimeSpan.FromDays(8), "a week");
        await rig.RunUntilAsync(() => rig.Events.Count(StationEventTypes.SelfTest) == 2, "weekly self-test");

        var report = rig.Events.EventsOf(StationEventTypes.SelfTest)[1];
        Assert.Equal(TimeSpan.FromDays(7), report.Time - TestClock.Epoch - TimeSpan.FromSeconds(4.1));
        Assert.Equal("failed", report.Data!["outcome"]);
        Assert.Contains("all-clear", string.Join(";", (IEnumerable<string>)report.Data["problems"]!), StringComparison.Ordinal);
        Assert.Empty(rig.Sounds());
    }

    [Fact]
    public async Task Test_SilentTestInterruptedByAlarm_AlarmPlaysAndTestReportedInterrupted()
    {
        await using var rig = await new BroadcastRig().StartAsync();
        rig.Controller.Test(silent: true);
        await rig.RunUntilAsync(() => rig.AmplifierOn, "self-test powers the amplifier");

        var alarm = rig.Controller.OnStationLevelChanged("none", "prepare");
        await rig.RunUntilIdleAsync();

        Assert.True(alarm!.Preempting);
        Assert.Equal("interrupted", Assert.Single(rig.Events.EventsOf(StationEventTypes.SelfTest)).Data!["outcome"]);
        Assert.Equal(true, Assert.Single(rig.Events.EventsOf(StationEventTypes.BroadcastFinished)).Data!["completed"]);
        Assert.Equal(3, rig.Sounds().Count);
    }

    [Fact]
    public async Task Test_Audible_PlaysTestMessageOnceAndReportsSelfTest()
    {
        await using var rig = await new BroadcastRig().StartAsync();

        rig.Controller.Test(silent: false);
        await rig.RunUntilIdleAsync();

        var sound = Assert.Single(rig.Sounds());
        Assert.InRange(sound.FrequencyHz, BroadcastRig.TestHz - 5, BroadcastRig.TestHz + 5);
        var report = Assert.Single(rig.Events.EventsOf(StationEventTypes.SelfTest));
        Assert.Equal(false, report.Data!["silent"]);
        Assert.Equal("passed", report.Data["outcome"]);
        Assert.Equal("test", Assert.Single(rig.Events.EventsOf(StationEventTypes.BroadcastStarted)).Data!["origin"]);
    }

    [Fact]
    public async Task Enqueue_ArrivesDuringTail_PlaysWithoutSwitchingRelaysOff()
    {
        await using var rig = await new BroadcastRig().StartAsync();
        rig.Controller.Enqueue(BroadcastRequest.ForMessage("hub"));
        await rig.RunUntilAsync(() => rig.Controller.State.Phase == BroadcastPhase.Tail, "tail");

        rig.Controller.Enqueue(BroadcastRequest.ForMessage("all-clear"));
        await rig.RunUntilIdleAsync();

        Assert.Equal(6, rig.RelayChanges().Count);
        var segments = rig.Segments();
        Assert.Equal([true, false, true, false], segments.Select(s => s.Sound));
        // Tail and gap together: one broadcast after another is separated by the gap.
        Assert.InRange(segments[1].Length, AudioClip.TimeToSamples(BroadcastRig.Gap), AudioClip.TimeToSamples(BroadcastRig.Gap) + 2);
    }

    [Fact]
    public async Task Enqueue_MalformedRequestOrUnknownLevel_Throws()
    {
        await using var rig = new BroadcastRig();

        Assert.Throws<ArgumentException>(() => rig.Controller.Enqueue(new BroadcastRequest()));
        Assert.Throws<ArgumentException>(() => rig.Controller.Enqueue(BroadcastRequest.ForMessage("hub", 0)));
        Assert.Throws<ArgumentException>(() => rig.Controller.OnStationLevelChanged("none", "tsunami"));
    }

    [Fact]
    public void Validate_PinUsedTwiceAndNegativeGap_ReportsBoth()
    {
        var options = new BroadcastOptions { AmplifierPin = 5, Gap = TimeSpan.FromSeconds(-1) };
        options.Zones.Add(new ZoneOptions("market", 5));

        var errors = options.Validate();

        Assert.Equal(["zone market: GPIO line 5 is already used by amplifier", "gap must not be negative"], errors);
    }

    /// <summary>An audio device that refuses the first clip (as aplay does on a format it cannot open) and then works.</summary>
    private sealed class FailingFirstPlaySink(IAudioSink inner) : IAudioSink
    {
        private int _calls;

        public string Description => "failing-first:" + inner.Description;

        public Task PlayAsync(AudioClip clip, bool muted, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _calls) == 1
                ? throw new AudioDeviceException("aplay exited with code 1: audio open error: Device or resource busy")
                : inner.PlayAsync(clip, muted, cancellationToken);

        public Task PauseAsync(TimeSpan duration, CancellationToken cancellationToken) => inner.PauseAsync(duration, cancellationToken);
    }
}
