using EdgeGateway.Configuration;
using EdgeGateway.Hosting;
using EdgeGateway.Hosting.Reload;
using EdgeGateway.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeGateway.Tests.Hosting.Reload;

/// <summary>A part that refuses a reloaded change keeps its settings, and status says its section waits for a restart.</summary>
public sealed class ConfigApplierRefusalTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task ReloadAsync_ApplierRefuses_SectionListedAsWaitingForRestartUntilAppliedOrEditedBack()
    {
        var path = _dir.Write("station.yaml", ExampleConfig.Text);
        var initial = ExampleConfig.Valid();
        var monitor = new StationConfigMonitor(initial, StationConfigMonitor.Hash(File.ReadAllBytes(path)), TimeProvider.System.GetUtcNow());
        var events = new RecordingSinks();
        var applier = new ScriptedApplier();
        using var reloader = new ConfigReloadService(monitor, new StationConfigFile(path), events, TimeProvider.System,
            NullLogger<ConfigReloadService>.Instance, [applier]);

        // Refused: alerting waits for the restart, and the event says why.
        applier.Refusal = "the level list takes effect at the next restart";
        await File.WriteAllTextAsync(path, ExampleConfig.With(("watch: 2.8", "watch: 2.7")));
        Assert.Equal(ReloadOutcome.Applied, await reloader.ReloadAsync("test", CancellationToken.None));
        Assert.Equal(["alerting"], monitor.RestartNeededFor);
        var refused = events.Events[^1];
        Assert.Equal(["alerting"], Assert.IsAssignableFrom<IEnumerable<string>>(refused.Data!["restartNeeded"]));
        Assert.Equal(applier.Refusal, Assert.IsAssignableFrom<IReadOnlyDictionary<string, string>>(refused.Data["failed"])["rules"]);

        // A later reload that does not touch alerting: it still waits.
        await File.WriteAllTextAsync(path, ExampleConfig.With(("watch: 2.8", "watch: 2.7"), ("retries: 2", "retries: 3")));
        await reloader.ReloadAsync("test", CancellationToken.None);
        Assert.Contains("alerting", monitor.RestartNeededFor);

        // Applied at last: nothing of alerting waits any more.
        applier.Refusal = null;
        await File.WriteAllTextAsync(path, ExampleConfig.With(("watch: 2.8", "watch: 2.6"), ("retries: 2", "retries: 3")));
        await reloader.ReloadAsync("test", CancellationToken.None);
        Assert.DoesNotContain("alerting", monitor.RestartNeededFor);
        Assert.Equal(1, applier.Applied);
    }

    private sealed class ScriptedApplier : IConfigApplier
    {
        public string? Refusal { get; set; }

        public int Applied { get; private set; }

        public string Name => "rules";

        public IReadOnlyCollection<string> Sections { get; } = ["alerting"];

        public Task ApplyAsync(StationConfig previous, StationConfig current, CancellationToken cancellationToken)
        {
            if (Refusal is { } why)
            {
                throw new InvalidOperationException(why);
            }

            Applied++;
            return Task.CompletedTask;
        }
    }
}
