using EdgeGateway.Acquisition;
using EdgeGateway.Configuration;
using EdgeGateway.Core.Events;
using EdgeGateway.Hosting;
using EdgeGateway.Hosting.Reload;
using EdgeGateway.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeGateway.Tests.Hosting;

/// <summary>The acquisition applier behind the reloader, on the example station file.</summary>
public sealed class AcquisitionApplierTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly RecordingSinks _sink = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Reload_SensorPollChanged_AppliedLiveNotWaitingForRestart()
    {
        var (reloader, monitor, acquisition, path) = Compose();
        using (reloader)
        using (acquisition)
        {
            await File.WriteAllTextAsync(path, ExampleConfig.With(("poll: 5s", "poll: 2s")));
            Assert.Equal(ReloadOutcome.Applied, await reloader.ReloadAsync("test", CancellationToken.None));

            var applied = Assert.Single(_sink.Events, e => e.Type == StationEventTypes.ConfigApplied);
            Assert.Equal(["sensors"], Assert.IsAssignableFrom<IEnumerable<string>>(applied.Data!["changed"]));
            Assert.Equal(["acquisition"], Assert.IsAssignableFrom<IEnumerable<string>>(applied.Data["appliedBy"]));
            Assert.Empty(Assert.IsAssignableFrom<IEnumerable<string>>(applied.Data["restartNeeded"]));
            Assert.Empty(monitor.RestartNeededFor);
            Assert.Equal(TimeSpan.FromSeconds(2), acquisition.Options.ModbusSensors.Single(s => s.Id == "river-level").Poll);
        }
    }

    [Fact]
    public async Task Reload_GpioChipChangedWithSensors_ReportedNotAppliedOldSensorsKept()
    {
        var (reloader, monitor, acquisition, path) = Compose();
        using (reloader)
        using (acquisition)
        {
            var before = acquisition.Options;
            await File.WriteAllTextAsync(path, ExampleConfig.With(("chip: gpiochip0", "chip: gpiochip4"), ("poll: 5s", "poll: 2s")));
            Assert.Equal(ReloadOutcome.Applied, await reloader.ReloadAsync("test", CancellationToken.None));

            var applied = Assert.Single(_sink.Events, e => e.Type == StationEventTypes.ConfigApplied);
            var failed = Assert.IsAssignableFrom<IReadOnlyDictionary<string, string>>(applied.Data!["failed"]);
            Assert.Contains("hardware.gpio changed", failed["acquisition"], StringComparison.Ordinal);
            Assert.Contains("not applied by acquisition", applied.Message, StringComparison.Ordinal);
            // The refused part keeps its sensors too: their change waits for the restart with the chip's.
            Assert.Equal(["hardware", "sensors"], monitor.RestartNeededFor);
            Assert.Same(before, acquisition.Options);
        }
    }

    [Fact]
    public void AddStationAcquisition_RegistersTheApplierForSensorsAndBuses()
    {
        var config = StationConfigLoader.Load(ExampleConfig.Path).Config!;
        var services = new ServiceCollection().AddStationAcquisition(config);

        Assert.Contains(services, d => d.ServiceType == typeof(IConfigApplier));
    }

    private (ConfigReloadService Reloader, StationConfigMonitor Monitor, AcquisitionService Acquisition, string Path) Compose()
    {
        var path = _dir.Write("station.yaml", ExampleConfig.Text);
        var loaded = StationConfigLoader.Load(path);
        Assert.True(loaded.IsValid);
        var initial = loaded.Config!;
        var monitor = new StationConfigMonitor(initial, StationConfigMonitor.Hash(File.ReadAllBytes(path)), TimeProvider.System.GetUtcNow());

        // Not started: no line, port or broker of the example is touched; the applier's decisions are what is tested.
        var acquisition = new AcquisitionService(AcquisitionMapping.FromConfig(initial), new AcquisitionDevices(), _sink, _sink, TimeProvider.System);
        var reloader = new ConfigReloadService(
            monitor, new StationConfigFile(path), _sink, TimeProvider.System, NullLogger<ConfigReloadService>.Instance,
            [new AcquisitionApplier(acquisition, initial.Hardware.Gpio)]);
        return (reloader, monitor, acquisition, path);
    }
}
