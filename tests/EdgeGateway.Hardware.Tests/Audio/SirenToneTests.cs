using EdgeGateway.Hardware.Audio;
using EdgeGateway.Hardware.Tests.Testing;

namespace EdgeGateway.Hardware.Tests.Audio;

public sealed class SirenToneTests
{
    [Fact]
    public void Generate_FourSeconds_SweepsLowToHighAndBack()
    {
        var siren = SirenTone.Generate(TimeSpan.FromSeconds(4));
        var samples = siren.Samples.Span;

        Assert.Equal(64_000, samples.Length);
        var start = Timeline.FrequencyAt(samples, TimeSpan.Zero, TimeSpan.FromSeconds(0.1));
        var middle = Timeline.FrequencyAt(samples, TimeSpan.FromSeconds(1.95), TimeSpan.FromSeconds(0.1));
        var end = Timeline.FrequencyAt(samples, TimeSpan.FromSeconds(3.9), TimeSpan.FromSeconds(0.1));
        Assert.InRange(start, 590, 640);
        Assert.InRange(middle, 1150, 1210);
        Assert.InRange(end, 590, 640);
        var segments = Timeline.Segments(samples);
        Assert.True(segments.Count == 1, string.Join(", ", segments));
        Assert.InRange(segments[0].Peak, 26_000, 26_300);
    }
}
