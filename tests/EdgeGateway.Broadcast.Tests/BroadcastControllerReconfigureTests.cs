using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Events;
using EdgeGateway.Hardware.Audio;
using EdgeGateway.Broadcast.Tests.Testing;
using EdgeGateway.Hardware.Tests.Testing;

namespace EdgeGateway.Broadcast.Tests;

/// <summary>Reloaded broadcast settings: taken by the next request, never by the one playing.</summary>
public sealed class BroadcastControllerReconfigureTests
{
    private static BroadcastOptions Copy(BroadcastOptions from, Action<BroadcastOptions> change)
    {
        var next = new BroadcastOptions
        {
            AmplifierPin = from.AmplifierPin,
            Warmup = from.Warmup,
            Tail = from.Tail,
            Gap = from.Gap,
            SelfTestPeriod = from.SelfTestPeriod,
            SirenDuration = from.SirenDuration,
            SpeechCacheDirectory = from.SpeechCacheDirectory,
            AllClear = from.AllClear,
        };
        foreach (var zone in from.Zones)
        {
            next.Zones.Add(zone);
        }

        foreach (var (name, message) in from.Messages)
        {
            next.Messages[name] = message;
        }

        next.Levels = from.Levels;
        change(next);
        return next;
    }

    [Fact]
    public async Task Reconfigure_WhilePlaying_PlayingOneKeepsItsGapAndRepeatsNextOneTakesTheNew()
    {
        await using var rig = await new BroadcastRig().StartAsync();
        rig.Controller.OnStationLevelChanged("none", "prepare");
        await rig.RunUntilAsync(() => rig.Controller.State.Phase == BroadcastPhase.Playing, "first repeat playing");

        rig.Controller.Reconfigure(Copy(rig.Options, o =>
        {
            o.Gap = TimeSpan.FromSeconds(2);
            o.Levels = o.Levels.With("prepare", new BroadcastCue("prepare", 2));
        }));
        await rig.RunUntilIdleAsync();
        rig.Controller.OnStationLevelChanged("watch", "prepare");
        await rig.RunUntilIdleAsync();

        var finished = rig.Events.EventsOf(StationEventTypes.BroadcastFinished);
        Assert.Equal([3, 2], finished.Select(e => (int)e.Data!["repeatsPlayed"]!));
        Assert.All(finished, e => Assert.Equal(true, e.Data!["completed"]));

        // Silences: the first broadcast's two 3 s gaps, its 1 s tail, the second's 2 s gap, its tail.
        var silences = rig.Segments().Where(s => !s.Sound).Select(s => Math.Round(s.Duration.TotalSeconds, 1));
        Assert.Equal([3.0, 3.0, 1.0, 2.0, 1.0], silences);
    }

    [Fact]
    public async Task Reconfigure_RelayLineChanged_RefusedAndTheSettingsInForceStay()
    {
        await using var rig = await new BroadcastRig().StartAsync();

        var refused = Assert.Throws<InvalidOperationException>(() => rig.Controller.Reconfigure(Copy(rig.Options, o =>
        {
            o.AmplifierPin = 7;
            o.Messages.Remove("hub");
        })));

        Assert.Contains("relay", refused.Message, StringComparison.Ordinal);
        Assert.Contains("next restart", refused.Message, StringComparison.Ordinal);
        Assert.True(rig.Controller.Messages.Knows("hub"));
    }

    [Fact]
    public async Task Reconfigure_MessageFileChanged_NextBroadcastPlaysTheNewFile()
    {
        await using var rig = await new BroadcastRig().StartAsync();
        var louder = Tones.WriteSine(Path.Combine(rig.Directory, "prepare-2.wav"), BroadcastRig.EvacuateHz, TimeSpan.FromSeconds(1));

        rig.Controller.Reconfigure(Copy(rig.Options, o => o.Messages["prepare"] = new MessageOptions(File: louder)));
        rig.Controller.OnStationLevelChanged("none", "prepare");
        await rig.RunUntilIdleAsync();

        var sounds = rig.Sounds();
        Assert.Equal(3, sounds.Count);
        Assert.All(sounds, s => Assert.InRange(s.FrequencyHz, BroadcastRig.EvacuateHz - 5, BroadcastRig.EvacuateHz + 5));
        Assert.All(sounds, s => Assert.InRange(s.Length, AudioClip.TimeToSamples(TimeSpan.FromSeconds(1)) - 2, AudioClip.TimeToSamples(TimeSpan.FromSeconds(1))));
    }

    [Fact]
    public async Task Reconfigure_SelfTestPeriodSet_SilentSelfTestRunsOnTheNewSchedule()
    {
        await using var rig = await new BroadcastRig().StartAsync();

        rig.Controller.Reconfigure(Copy(rig.Options, o => o.SelfTestPeriod = TimeSpan.FromHours(1)));
        await rig.Clock.RunUntilAsync(() => rig.Clock.Elapsed >= TimeSpan.FromHours(1), TimeSpan.FromHours(2), "an hour");
        await rig.RunUntilAsync(() => rig.Events.Count(StationEventTypes.SelfTest) > 0, "the silent self-test");

        var report = rig.Controller.State.LastSelfTest!;
        Assert.True(report.Silent);
        Assert.InRange(rig.Clock.Elapsed, TimeSpan.FromHours(1), TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));
    }
}
