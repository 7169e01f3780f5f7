using EdgeGateway.Core.Alerting;
using EdgeGateway.Hosting;
using EdgeGateway.Tests.TestSupport;

namespace EdgeGateway.Tests.Hosting;

public sealed class BroadcastMappingTests
{
    [Fact]
    public void FromConfig_BroadcastKeysLeftOut_RecordedAsNotGivenAndMappedToTheOptionsDefaults()
    {
        var config = ExampleConfig.Valid(
            ("amplifier: { gpio: 5, warmup: 2s, tail: 1s }", "amplifier: { gpio: 5 }"),
            ("  gap: 3s ", "  # gap: 3s "),
            ("broadcast: { message: evacuate, repeat: 5 }", "broadcast: { message: evacuate }"));
        var b = config.Broadcast!;
        Assert.Equal((null, null, null, null), (b.Amplifier.Warmup, b.Amplifier.Tail, b.Gap, b.SelfTest));
        Assert.Null(config.Alerting.Levels.Single(l => l.Id == "evacuate").Broadcast!.Repeat);

        var o = BroadcastMapping.FromConfig(config)!;

        // The defaults a station has always run with: 2 s warm-up, 1 s tail, 3 s between repeats, a weekly self-test, played once.
        Assert.Equal(
            (TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), TimeSpan.FromDays(7)),
            (o.Warmup, o.Tail, o.Gap, o.SelfTestPeriod));
        Assert.Equal(new BroadcastCue("evacuate", 1), o.Levels.Get("evacuate").Broadcast);
        Assert.Equal(new BroadcastCue("all-clear", 2), o.AllClear);
    }
}
