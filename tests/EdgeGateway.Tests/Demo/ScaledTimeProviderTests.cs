using EdgeGateway.Demo;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Demo;

public sealed class ScaledTimeProviderTests
{
    private static readonly DateTimeOffset StormStart = new(2026, 7, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void GetUtcNow_AfterOneRealSecond_AdvancesBySpeedSeconds()
    {
        var real = new FakeTimeProvider();
        var clock = new ScaledTimeProvider(StormStart, 240, real);

        Assert.Equal(StormStart, clock.GetUtcNow());
        real.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(StormStart.AddMinutes(4), clock.GetUtcNow());
        real.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(StormStart.AddMinutes(6), clock.GetUtcNow());
    }

    [Fact]
    public void GetElapsedTime_MeasuresSimulatedTime()
    {
        var real = new FakeTimeProvider();
        var clock = new ScaledTimeProvider(StormStart, 60, real);
        var before = clock.GetTimestamp();

        real.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(TimeSpan.FromMinutes(2), clock.GetElapsedTime(before));
    }

    [Fact]
    public void CreateTimer_DueTime_FiresAfterScaledRealInterval()
    {
        var real = new FakeTimeProvider();
        var clock = new ScaledTimeProvider(StormStart, 60, real);
        var fired = 0;

        using var timer = clock.CreateTimer(_ => fired++, null, TimeSpan.FromMinutes(1), Timeout.InfiniteTimeSpan);

        real.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(0, fired);
        real.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, fired);
        real.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, fired);
    }

    [Fact]
    public void CreateTimer_Period_RepeatsAtScaledPeriod()
    {
        var real = new FakeTimeProvider();
        var clock = new ScaledTimeProvider(StormStart, 10, real);
        var fired = 0;

        using var timer = clock.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5));

        real.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, fired);
        real.Advance(TimeSpan.FromSeconds(0.5));
        Assert.Equal(2, fired);
        real.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(4, fired);
    }

    [Fact]
    public void Change_NewDueTime_IsScaled()
    {
        var real = new FakeTimeProvider();
        var clock = new ScaledTimeProvider(StormStart, 100, real);
        var fired = 0;
        using var timer = clock.CreateTimer(_ => fired++, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        real.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, fired);

        Assert.True(timer.Change(TimeSpan.FromSeconds(100), Timeout.InfiniteTimeSpan));
        real.Advance(TimeSpan.FromMilliseconds(990));
        Assert.Equal(0, fired);
        real.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Equal(1, fired);
    }

    [Fact]
    public async Task PeriodicTimer_WithScaledClock_TicksInSimulatedPeriods()
    {
        var real = new FakeTimeProvider();
        var clock = new ScaledTimeProvider(StormStart, 30, real);
        using var periodic = new PeriodicTimer(TimeSpan.FromSeconds(30), clock);

        var tick = periodic.WaitForNextTickAsync().AsTask();
        real.Advance(TimeSpan.FromMilliseconds(900));
        Assert.False(tick.IsCompleted);
        real.Advance(TimeSpan.FromMilliseconds(100));

        Assert.True(await tick.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(StormStart.AddSeconds(30), clock.GetUtcNow());
    }

    [Fact]
    public async Task Delay_OnSystemClock_CompletesInScaledRealTime()
    {
        var clock = new ScaledTimeProvider(StormStart, 1000);
        var started = TimeProvider.System.GetTimestamp();

        await Task.Delay(TimeSpan.FromSeconds(100), clock).WaitAsync(TimeSpan.FromSeconds(30));

        // 100 simulated seconds at 1000x is 100 ms of real time; far less than the unscaled delay.
        var real = TimeProvider.System.GetElapsedTime(started);
        Assert.InRange(real, TimeSpan.FromMilliseconds(90), TimeSpan.FromSeconds(20));
        // Within a few real milliseconds (5 s simulated) of the due time: the runtime's timers run on a coarse
        // millisecond tick and the clock reads the high-resolution timestamp, so a timer can fire a millisecond or two
        // before the timestamp says its time has come (1.4 ms was seen: 98.6 s simulated).
        Assert.True(clock.GetUtcNow() >= StormStart.AddSeconds(95), $"{clock.GetUtcNow() - StormStart}");
    }

    [Fact]
    public void ToReal_PositiveIntervalBelowTimerResolution_IsOneMillisecond()
    {
        var clock = new ScaledTimeProvider(StormStart, 1000, new FakeTimeProvider());

        Assert.Equal(TimeSpan.FromMilliseconds(1), clock.ToReal(TimeSpan.FromMilliseconds(25)));
        Assert.Equal(TimeSpan.Zero, clock.ToReal(TimeSpan.Zero));
        Assert.Equal(Timeout.InfiniteTimeSpan, clock.ToReal(Timeout.InfiniteTimeSpan));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Constructor_SpeedNotPositive_Throws(double speed)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ScaledTimeProvider(StormStart, speed, new FakeTimeProvider()));
    }
}
