using EdgeGateway.Hosting.Health;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Hosting.Health;

public sealed class HealthCollectorTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Collect_PiUnderVoltageAndHot_ReportsFiguresFromTheKernelFiles()
    {
        var time = new FakeTimeProvider();
        var sources = new HealthSources
        {
            ThermalZone = _dir.Write("temp", "61234\n"),
            Throttled = _dir.Write("get_throttled", "50005\n"),
            MemInfo = _dir.Write("meminfo", "MemTotal:        3884376 kB\nMemFree:          125000 kB\nMemAvailable:    2000000 kB\n"),
            Uptime = _dir.Write("uptime", "12345.67 40000.00\n"),
            TimeSyncFlag = _dir.Write("synchronized", ""),
            UseAdjtimex = false,
        };
        var health = new HealthCollector(time, _dir.Path, () => 12.6, sources);
        time.Advance(TimeSpan.FromMinutes(90));

        var figures = health.Collect();

        Assert.Equal(61.2, figures["cpuTemperatureC"]);
        Assert.Equal(true, figures["underVoltage"]);
        Assert.Equal(true, figures["underVoltageSinceBoot"]);
        Assert.Equal(true, figures["throttled"]);
        Assert.Equal(true, figures["throttledSinceBoot"]);
        Assert.Equal("0x50005", figures["throttledFlags"]);
        Assert.Equal(2000000L * 1024, figures["memAvailableBytes"]);
        Assert.Equal(5400L, figures["uptimeSeconds"]);
        Assert.Equal(12345L, figures["systemUptimeSeconds"]);
        Assert.Equal(12.6, figures["batteryVolts"]);
        Assert.Equal(true, figures["clockSynchronized"]);
        Assert.True((long)figures["diskFreeBytes"]! > 0);
        Assert.True((long)figures["processMemoryBytes"]! > 0);
        var heap = (long)figures["managedHeapBytes"]!;
        Assert.InRange(heap, 1, (long)figures["processMemoryBytes"]!);
        // The test host's own GC settings, as the runtime reports them.
        Assert.Equal(Convert.ToInt64(GC.GetConfigurationVariables()["GCGen0MaxBudget"], System.Globalization.CultureInfo.InvariantCulture),
            figures["gcGen0MaxBudgetBytes"]);
    }

    [Fact]
    public void Collect_NotAPi_LeavesOutWhatTheMachineDoesNotTell()
    {
        var missing = _dir.File("absent");
        var sources = new HealthSources
        {
            ThermalZone = missing, Throttled = missing, MemInfo = missing, Uptime = missing, TimeSyncFlag = missing, UseAdjtimex = false,
        };
        var health = new HealthCollector(new FakeTimeProvider(), _dir.File("no-such-dir"), () => null, sources);

        var figures = health.Collect();

        Assert.False(figures.ContainsKey("cpuTemperatureC"));
        Assert.False(figures.ContainsKey("underVoltage"));
        Assert.False(figures.ContainsKey("batteryVolts"));
        Assert.False(figures.ContainsKey("memAvailableBytes"));
        Assert.Null(figures["clockSynchronized"]);
        Assert.Equal(0L, figures["uptimeSeconds"]);
    }

    [Fact]
    public void Collect_AdjtimexOnThisMachine_AnswersWithoutThrowing()
    {
        var missing = _dir.File("absent");
        var health = new HealthCollector(new FakeTimeProvider(), _dir.Path, sources: new HealthSources { TimeSyncFlag = missing });

        var synchronized = health.Collect()["clockSynchronized"];

        Assert.True(synchronized is null or bool);
    }
}
