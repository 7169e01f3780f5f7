using EdgeGateway.Configuration;
using EdgeGateway.Core.Events;
using EdgeGateway.Hosting;
using EdgeGateway.Hosting.Reload;
using EdgeGateway.Tests.TestSupport;
using EdgeGateway.Uplink.Mqtt;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeGateway.Tests.Hosting;

/// <summary>The uplink applier behind the reloader, on the example station file (the uplink is not started).</summary>
public sealed class UplinkApplierTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly RecordingSinks _sink = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Reload_TelemetryPeriodChanged_AppliedByTheUplink()
    {
        var (reloader, monitor, uplink, path) = Compose();
        using (reloader)
        using (uplink)
        {
            await File.WriteAllTextAsync(path, Example().Replace("telemetry: 60s", "telemetry: 30s", StringComparison.Ordinal));
            Assert.Equal(ReloadOutcome.Applied, await reloader.ReloadAsync("test", CancellationToken.None));

            var applied = Assert.Single(_sink.Events, e => e.Type == StationEventTypes.ConfigApplied);
            Assert.Equal(["uplink"], Assert.IsAssignableFrom<IEnumerable<string>>(applied.Data!["appliedBy"]));
            Assert.Empty(Assert.IsAssignableFrom<IReadOnlyDictionary<string, string>>(applied.Data["failed"]));
            Assert.Empty(monitor.RestartNeededFor);
        }
    }

    [Fact]
    public async Task Reload_UplinkSectionRemoved_ReportedNotApplied()
    {
        var (reloader, _, uplink, path) = Compose();
        using (reloader)
        using (uplink)
        {
            var text = Example();
            await File.WriteAllTextAsync(path, text[..text.IndexOf("\nuplink:", StringComparison.Ordinal)]);
            Assert.Equal(ReloadOutcome.Applied, await reloader.ReloadAsync("test", CancellationToken.None));

            var applied = Assert.Single(_sink.Events, e => e.Type == StationEventTypes.ConfigApplied);
            var failed = Assert.IsAssignableFrom<IReadOnlyDictionary<string, string>>(applied.Data!["failed"]);
            Assert.Contains("uplink.mqtt was removed", failed["uplink"], StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AddUplinkApplier_RegistersAnApplierForTheUplinkSection()
    {
        var services = new ServiceCollection().AddUplinkApplier();

        Assert.Contains(services, d => d.ServiceType == typeof(IConfigApplier));
    }

    // The example with the storage moved into the test's directory (the uplink opens its outbox there).
    private string Example() => ExampleConfig.With(("path: /var/lib/edge-gateway", $"path: {_dir.File("data")}"));

    private (ConfigReloadService Reloader, StationConfigMonitor Monitor, UplinkService Uplink, string Path) Compose()
    {
        var path = _dir.Write("station.yaml", Example());
        var loaded = StationConfigLoader.Load(path);
        Assert.True(loaded.IsValid, string.Join("; ", loaded.Errors));
        var initial = loaded.Config!;
        var monitor = new StationConfigMonitor(initial, StationConfigMonitor.Hash(File.ReadAllBytes(path)), TimeProvider.System.GetUtcNow());
        var uplink = new UplinkService(UplinkMapping.FromConfig(initial)!, TimeProvider.System, NullLogger<UplinkService>.Instance);
        var reloader = new ConfigReloadService(
            monitor, new StationConfigFile(path), _sink, TimeProvider.System, NullLogger<ConfigReloadService>.Instance,
            [new UplinkApplier(uplink)]);
        return (reloader, monitor, uplink, path);
    }
}
