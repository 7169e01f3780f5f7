using EdgeGateway.Configuration;
using EdgeGateway.Core.Events;
using EdgeGateway.Core.Readings;
using EdgeGateway.Core.Rules;
using EdgeGateway.Hosting;
using EdgeGateway.Hosting.Pipeline;
using EdgeGateway.Hosting.Reload;
using EdgeGateway.State;
using EdgeGateway.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeGateway.Tests.Hosting.Reload;

public sealed class ConfigReloadServiceTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Reload_BrokenFileSaved_KeepsConfigurationAndAlarmThenAppliesTheFixedFile()
    {
        var path = _dir.Write("station.yaml", ExampleConfig.Text);
        var initial = Load(path);
        var levels = LevelMapping.Levels(initial);
        using var store = new SqliteAlertStateStore(_dir.File("alert-state.db"));
        var pipeline = new StationPipeline(
            new RuleEngine(levels, RuleMapping.Rules(initial, levels), TimeProvider.System), store, [], [], [],
            TimeProvider.System, NullLogger<StationPipeline>.Instance);
        var monitor = new StationConfigMonitor(initial, StationConfigMonitor.Hash(File.ReadAllBytes(path)), TimeProvider.System.GetUtcNow());
        using var reloader = new ConfigReloadService(
            monitor, new StationConfigFile(path), pipeline, TimeProvider.System, NullLogger<ConfigReloadService>.Instance);
        var changes = new List<StationConfigChangedEventArgs>();
        monitor.Changed += (_, e) => changes.Add(e);
        await pipeline.StartAsync(CancellationToken.None);
        await reloader.StartAsync(CancellationToken.None);
        try
        {
            // The flood switch trips: the station is at evacuate.
            pipeline.Publish(new Reading("flood-switch", TimeProvider.System.GetUtcNow(), 1, Quality.Good));
            await WaitUntil(() => pipeline.StationLevel == "evacuate");

            // A technician saves a file with a mistake.
            var refused = NextOutcome(reloader, ReloadOutcome.Rejected);
            await File.WriteAllTextAsync(path, ExampleConfig.With(("retries: 2", "retries: two")));
            await refused.WaitAsync(Wait);

            Assert.Same(initial, monitor.Current);
            var rejection = Assert.IsType<ConfigRejection>(monitor.LastRejection);
            Assert.Contains(rejection.Errors, e => e.StartsWith(path + ":25:", StringComparison.Ordinal) && e.Contains("retries", StringComparison.Ordinal));
            Assert.Equal("evacuate", pipeline.StationLevel);
            Assert.Empty(changes);
            var rejected = Assert.Single(pipeline.RecentEvents, e => e.Type == StationEventTypes.ConfigRejected);
            Assert.Equal(rejection.Errors, Assert.IsAssignableFrom<IEnumerable<string>>(rejected.Data!["errors"]));

            // Fixed, with a changed threshold: applied, the alarm still stands.
            var applied = NextOutcome(reloader, ReloadOutcome.Applied);
            await File.WriteAllTextAsync(path, ExampleConfig.With(("watch: 2.8", "watch: 2.7")));
            await applied.WaitAsync(Wait);

            Assert.NotSame(initial, monitor.Current);
            Assert.Null(monitor.LastRejection);
            Assert.Equal(["alerting"], Assert.Single(changes).RestartNeededFor);
            Assert.Equal("evacuate", pipeline.StationLevel);
            var appliedEvent = Assert.Single(pipeline.RecentEvents, e => e.Type == StationEventTypes.ConfigApplied);
            Assert.Equal(monitor.CurrentHash, appliedEvent.Data!["hash"]);
        }
        finally
        {
            await reloader.StopAsync(CancellationToken.None);
            await pipeline.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Reload_Sighup_ReReadsTheFileAndTheProcessLives()
    {
        var path = _dir.Write("station.yaml", ExampleConfig.Text);
        var initial = Load(path);
        var monitor = new StationConfigMonitor(initial, "stale-hash", TimeProvider.System.GetUtcNow());
        var events = new RecordingSinks();
        using var reloader = new ConfigReloadService(
            monitor, new StationConfigFile(path), events, TimeProvider.System, NullLogger<ConfigReloadService>.Instance);
        await reloader.StartAsync(CancellationToken.None);
        try
        {
            var applied = NextOutcome(reloader, ReloadOutcome.Applied);
            await Signals.SendAsync(Environment.ProcessId, "HUP").WaitAsync(Wait);

            await applied.WaitAsync(Wait);
            Assert.Equal(StationConfigMonitor.Hash(File.ReadAllBytes(path)), monitor.CurrentHash);
            Assert.Contains(events.Events, e => e.Type == StationEventTypes.ConfigApplied && (string?)e.Data!["trigger"] == "SIGHUP");
        }
        finally
        {
            await reloader.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Reload_SameBytes_Unchanged_AndUnreadableFileRefused()
    {
        var path = _dir.Write("station.yaml", ExampleConfig.Text);
        var initial = Load(path);
        var monitor = new StationConfigMonitor(initial, StationConfigMonitor.Hash(File.ReadAllBytes(path)), TimeProvider.System.GetUtcNow());
        var events = new RecordingSinks();
        using var reloader = new ConfigReloadService(
            monitor, new StationConfigFile(path), events, TimeProvider.System, NullLogger<ConfigReloadService>.Instance);

        Assert.Equal(ReloadOutcome.Unchanged, await reloader.ReloadAsync("test", CancellationToken.None));
        File.Delete(path);
        Assert.Equal(ReloadOutcome.Rejected, await reloader.ReloadAsync("test", CancellationToken.None));

        Assert.Same(initial, monitor.Current);
        Assert.Contains("no such file", Assert.Single(monitor.LastRejection!.Errors), StringComparison.Ordinal);
        Assert.Equal([StationEventTypes.ConfigRejected], events.Events.Select(e => e.Type));
    }

    private static StationConfig Load(string path)
    {
        var loaded = StationConfigLoader.Load(path);
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors));
        return loaded.Config!;
    }

    private static Task<ReloadOutcome> NextOutcome(ConfigReloadService reloader, ReloadOutcome wanted)
    {
        var seen = new TaskCompletionSource<ReloadOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handler(ReloadOutcome outcome)
        {
            if (outcome == wanted)
            {
                reloader.Reloaded -= Handler;
                seen.TrySetResult(outcome);
            }
        }

        reloader.Reloaded += Handler;
        return seen.Task;
    }

    private static Task WaitUntil(Func<bool> condition) => Eventually.TrueAsync(condition, Wait, "the condition");
}
