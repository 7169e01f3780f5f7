using EdgeGateway.Hosting.Watchdog;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Hosting.Watchdog;

public sealed class ProgressMonitorTests
{
    [Fact]
    public void FindStalled_SilenceBeyondAllowance_NamesOnlyThatLoop()
    {
        var time = new FakeTimeProvider();
        var monitor = new ProgressMonitor(time);
        using var fast = monitor.Register("rules", TimeSpan.FromSeconds(5));
        using var slow = monitor.Register("bus:plc", TimeSpan.FromSeconds(60));

        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Empty(monitor.FindStalled());
        time.Advance(TimeSpan.FromSeconds(1));

        var stalled = Assert.Single(monitor.FindStalled());
        Assert.Equal("rules", stalled.Name);
        Assert.Equal(TimeSpan.FromSeconds(6), stalled.Silence);
        fast.Beat();
        Assert.Empty(monitor.FindStalled());
    }

    [Fact]
    public void FindStalled_WallClockJumpsDecades_CountsNoSilence()
    {
        // A Pi without RTC boots in 1970; NTP then moves the wall clock, not the monotonic one.
        var time = new SteppedWallClock { UtcNow = new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero) };
        var monitor = new ProgressMonitor(time);
        using var loop = monitor.Register("uplink", TimeSpan.FromSeconds(5));

        time.UtcNow = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        time.Ticks += TimeSpan.FromSeconds(1).Ticks;

        Assert.Empty(monitor.FindStalled());
    }

    [Fact]
    public void Register_NameInUse_Throws_AndIsFreeAgainAfterDispose()
    {
        var monitor = new ProgressMonitor(new FakeTimeProvider());
        var first = monitor.Register("bus:rs485", TimeSpan.FromSeconds(5));

        Assert.Throws<InvalidOperationException>(() => monitor.Register("bus:rs485", TimeSpan.FromSeconds(5)));
        first.Dispose();
        using var second = monitor.Register("bus:rs485", TimeSpan.FromSeconds(5));
        first.Dispose(); // a late second dispose must not unregister the new loop

        Assert.Equal(["bus:rs485"], monitor.Snapshot().Select(p => p.Name));
    }

    /// <summary>A wall clock that can be stepped while the monotonic one runs on its own.</summary>
    private sealed class SteppedWallClock : TimeProvider
    {
        public DateTimeOffset UtcNow { get; set; }

        public long Ticks { get; set; }

        public override DateTimeOffset GetUtcNow() => UtcNow;

        public override long GetTimestamp() => Ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    }
}
