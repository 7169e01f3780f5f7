using EdgeGateway.Acquisition.Counters;
using EdgeGateway.Modbus;

namespace EdgeGateway.Acquisition.Tests.Counters;

public sealed class RainCounterTests
{
    private static readonly DateTimeOffset Start = new(2026, 7, 1, 3, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(10);

    [Fact]
    public void Next_First_BaselineNoRain()
    {
        var counter = new RainCounter(RegisterType.UInt32, 0.1);

        Assert.Equal(new CounterStep(0, CounterChange.Baseline, null), counter.Next(1234, Start));
    }

    [Fact]
    public void Next_Increase_RainIsDifferenceTimesScale()
    {
        var counter = new RainCounter(RegisterType.UInt32, 0.1);
        counter.Next(1234, Start);

        var step = counter.Next(1237, Start + Poll);

        Assert.Equal(CounterChange.Increase, step.Change);
        Assert.Equal(0.3, step.RainMm);
    }

    [Fact]
    public void Next_DecreaseFarFromMax_ResetCountingNewValue()
    {
        var counter = new RainCounter(RegisterType.UInt16, 0.1);
        counter.Next(30000, Start);

        var step = counter.Next(4, Start + Poll);

        Assert.Equal(CounterChange.Reset, step.Change);
        Assert.Equal(0.4, step.RainMm);
        Assert.Equal(30000, step.PreviousRaw);
    }

    [Fact]
    public void Next_UInt16NearMaxToSmall_Wrap()
    {
        var counter = new RainCounter(RegisterType.UInt16, 0.1);
        counter.Next(65534, Start);

        // 65534 -> 65535 -> 0 -> 1 -> 2: four counts, 0.4 mm in 10 s (144 mm/h: heavy but plausible).
        var step = counter.Next(2, Start + Poll);

        Assert.Equal(CounterChange.Wrap, step.Change);
        Assert.Equal(0.4, step.RainMm);
    }

    [Fact]
    public void Next_UInt32NearMaxToSmall_Wrap()
    {
        var counter = new RainCounter(RegisterType.UInt32, 0.2);
        counter.Next(4294967295d, Start);

        var step = counter.Next(0, Start + Poll);

        Assert.Equal(CounterChange.Wrap, step.Change);
        Assert.Equal(0.2, step.RainMm);
    }

    [Fact]
    public void Next_NearMaxToSmallButImplausiblyMuchRain_Reset()
    {
        // 65500 -> 100 would be 136 counts = 13.6 mm in 10 s (4900 mm/h): not rain, a reset.
        var counter = new RainCounter(RegisterType.UInt16, 0.1);
        counter.Next(65500, Start);

        var step = counter.Next(100, Start + Poll);

        Assert.Equal(CounterChange.Reset, step.Change);
        Assert.Equal(10.0, step.RainMm);
    }

    [Fact]
    public void Next_LongGap_WrapAllowanceCappedAtOneHour()
    {
        // After a day offline, 300 mm/h over at most 1 h = 3000 counts: a counter 20 000 below max is not wrapped.
        var counter = new RainCounter(RegisterType.UInt16, 0.1);
        counter.Next(45536, Start);

        var step = counter.Next(5, Start + TimeSpan.FromDays(1));

        Assert.Equal(CounterChange.Reset, step.Change);
        Assert.Equal(0.5, step.RainMm);
    }

    [Fact]
    public void Next_SignedInt16Counter_WrapsAsItsBitPattern()
    {
        // An int16 counter passes 32767 -> -32768 (bit pattern 0x7FFF -> 0x8000): a plain increase of one count.
        var counter = new RainCounter(RegisterType.Int16, 0.5);
        counter.Next(32767, Start);

        var up = counter.Next(-32768, Start + Poll);
        counter.Next(-1, Start + (Poll * 2));
        var wrap = counter.Next(0, Start + (Poll * 3));

        Assert.Equal(new CounterStep(0.5, CounterChange.Increase, 32767), up);
        Assert.Equal(CounterChange.Wrap, wrap.Change);
        Assert.Equal(0.5, wrap.RainMm);
    }

    [Fact]
    public void Next_FloatCounterDecrease_AlwaysReset()
    {
        var counter = new RainCounter(RegisterType.Float32, 1.0);
        counter.Next(1000.5, Start);

        var step = counter.Next(0.5, Start + Poll);

        Assert.Equal(CounterChange.Reset, step.Change);
        Assert.Equal(0.5, step.RainMm);
    }

    [Fact]
    public void Restore_KeptCount_RainSinceItCounts()
    {
        var counter = new RainCounter(RegisterType.UInt32, 0.1);
        counter.Restore(5000, Start);

        var step = counter.Next(5120, Start + TimeSpan.FromMinutes(2));

        Assert.Equal(new CounterStep(12.0, CounterChange.Increase, 5000), step);
    }

    [Fact]
    public void Next_NeverNegative()
    {
        var counter = new RainCounter(RegisterType.UInt16, 0.1);
        var random = new Random(7);
        var raw = 0d;
        counter.Next(raw, Start);
        for (var i = 1; i < 2000; i++)
        {
            raw = random.Next(0, 65536);
            Assert.True(counter.Next(raw, Start + (Poll * i)).RainMm >= 0);
        }
    }
}
