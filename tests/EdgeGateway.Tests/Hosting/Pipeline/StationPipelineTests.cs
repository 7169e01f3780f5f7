using System.Collections.Concurrent;
using EdgeGateway.Configuration;
using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Events;
using EdgeGateway.Core.Readings;
using EdgeGateway.Core.Rules;
using EdgeGateway.Hosting.Pipeline;
using EdgeGateway.State;
using EdgeGateway.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Hosting.Pipeline;

public sealed class StationPipelineTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 7, 1, 3, 0, 0, TimeSpan.Zero));
    private readonly StationConfig _config;

    public StationPipelineTests()
    {
        var loaded = StationConfigLoader.Parse(ExampleConfig.Text, "station.yaml");
        Assert.True(loaded.IsValid);
        _config = loaded.Config!;
    }

    public void Dispose() => _dir.Dispose();

    private (StationPipeline Pipeline, Recorder Recorder, SqliteAlertStateStore Store) Create(IWarningObligations? obligations = null, IAlertObserver? observer = null)
    {
        var levels = LevelMapping.Levels(_config);
        var engine = new RuleEngine(levels, RuleMapping.Rules(_config, levels), _time);
        var store = new SqliteAlertStateStore(_dir.File("alert-state.db"));
        var recorder = new Recorder();
        IAlertObserver[] observers = observer is null ? [recorder] : [observer, recorder];
        var pipeline = new StationPipeline(engine, store, observers, [recorder], [recorder], _time, NullLogger<StationPipeline>.Instance, obligations: obligations);
        return (pipeline, recorder, store);
    }

    [Fact]
    public async Task Publish_StationRisesToEvacuate_ObligationSavedWithTheLevelBeforeAnyObserverIsTold()
    {
        var obligations = new LevelObligations();
        var saved = new TaskCompletionSource<AlertStateSnapshot?>(TaskCreationOptions.RunContinuationsAsynchronously);
        // What a process killed at the instant the first observer is told would find on restart.
        // The store holds its file exclusively while it runs, so what it committed is read through it.
        SqliteAlertStateStore? live = null;
        var reader = new ReadingObserver(() => saved.TrySetResult(live!.Load()));
        var (pipeline, recorder, store) = Create(obligations, reader);
        using var _ = store;
        live = store;
        await pipeline.StartAsync(CancellationToken.None);
        try
        {
            pipeline.Publish(new Reading("flood-switch", _time.GetUtcNow(), 1, Quality.Good));
            var snapshot = await saved.Task.WaitAsync(Wait);

            Assert.Equal("evacuate", snapshot?.Rules.Single(r => r.RuleId == "flood-switch").Level);
            Assert.Equal("level:evacuate", snapshot?.Owed?.Key);

            // Discharged (the broadcast completed): saved again without waiting for another change of level.
            obligations.Discharge();
            await WaitForAsync(() => store.Load()?.Owed is null);
            Assert.Equal("evacuate", store.Load()?.Rules.Single(r => r.RuleId == "flood-switch").Level);
        }
        finally
        {
            await pipeline.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task StartAsync_ObligationSavedBeforeRestart_HandedBackWithTheRestoredLevel()
    {
        var (first, firstRecorder, firstStore) = Create(new LevelObligations());
        await first.StartAsync(CancellationToken.None);
        first.Publish(new Reading("flood-switch", _time.GetUtcNow(), 1, Quality.Good));
        await firstRecorder.WaitForCount(2, Wait);
        await first.StopAsync(CancellationToken.None);
        firstStore.Dispose();

        var restored = new LevelObligations();
        var (second, _, secondStore) = Create(restored);
        using var _ = secondStore;
        await second.StartAsync(CancellationToken.None);
        await second.StopAsync(CancellationToken.None);

        Assert.Equal(("level:evacuate", "evacuate"), (restored.Restored?.Key, restored.RestoredLevel));
    }

    private static Task WaitForAsync(Func<bool> condition) => Eventually.TrueAsync(condition, Wait, "the condition");

    /// <summary>Owes <c>level:TO</c> for every rise, as the broadcaster does for levels with a broadcast.</summary>
    private sealed class LevelObligations : IWarningObligations
    {
        public event EventHandler? Changed;

        public WarningObligation? Current { get; private set; }

        public WarningObligation? Restored { get; private set; }

        public string? RestoredLevel { get; private set; }

        public void OnStationLevelChanging(AlertLevel fromLevel, AlertLevel toLevel, bool allClear = true) =>
            Current = toLevel.IsNone ? null : new WarningObligation("level:" + toLevel.Id, toLevel.Id, 1, 1, DateTimeOffset.UnixEpoch);

        public void Restore(WarningObligation? owed, string stationLevel) => (Restored, RestoredLevel) = (owed, stationLevel);

        public void Discharge()
        {
            Current = null;
            Changed?.Invoke(this, EventArgs.Empty);
        }
    }

    private sealed class ReadingObserver(Action onTransitions) : IAlertObserver
    {
        public void OnTransitions(IReadOnlyList<LevelTransition> transitions) => onTransitions();
    }

    [Fact]
    public async Task Publish_RiverCrossesWatchAfterHold_ObserversToldRuleThenStation()
    {
        var (pipeline, recorder, store) = Create();
        using var _ = store;
        await pipeline.StartAsync(CancellationToken.None);
        try
        {
            pipeline.Publish(new Reading("river-level", _time.GetUtcNow(), 2.9, Quality.Good));
            await recorder.ReadingSeen.Task.WaitAsync(Wait);
            Assert.Empty(recorder.Transitions); // hold 30s has not passed

            // The hold completes on the engine's tick, with no new reading.
            for (var i = 0; i < 31 && recorder.Transitions.IsEmpty; i++)
            {
                _time.Advance(TimeSpan.FromSeconds(1));
                await recorder.WaitForTransitionsOrTimeout(TimeSpan.FromMilliseconds(200));
            }

            await recorder.WaitForCount(2, Wait);
            var list = recorder.Transitions.ToArray();
            Assert.Equal(("river", "none", "watch"), (list[0].Id, list[0].From, list[0].To));
            Assert.Equal(TransitionScope.Station, list[1].Scope);
            Assert.Equal("watch", pipeline.StationLevel);
            Assert.Equal(2.9, pipeline.Sensors.Single().Value);
        }
        finally
        {
            await pipeline.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task StartAsync_AfterRestart_RestoresLevelWithoutTransitions()
    {
        var (first, firstRecorder, firstStore) = Create();
        await first.StartAsync(CancellationToken.None);
        first.Publish(new Reading("flood-switch", _time.GetUtcNow(), 1, Quality.Good));
        await firstRecorder.WaitForCount(2, Wait);
        await first.StopAsync(CancellationToken.None);
        firstStore.Dispose();
        Assert.Equal("evacuate", first.StationLevel);

        var (second, secondRecorder, secondStore) = Create();
        using var _ = secondStore;
        await second.StartAsync(CancellationToken.None);
        try
        {
            await second.Ready.WaitAsync(Wait);
            Assert.Equal("evacuate", second.StationLevel);
            second.Publish(new Reading("flood-switch", _time.GetUtcNow(), 1, Quality.Good));
            await secondRecorder.ReadingSeen.Task.WaitAsync(Wait);
            await second.ClearAsync("manual", "test", CancellationToken.None); // a rule at none: a no-op clear, and a barrier
            Assert.Empty(secondRecorder.Transitions);
        }
        finally
        {
            await second.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public Task ClearAsync_LatchedManualAlarm_StepsDownAndAudits() =>
        WithManualAlarmAsync(0, Quality.Good, TimeSpan.FromHours(2), async (pipeline, recorder) =>
        {
            var cleared = await pipeline.ClearAsync("manual", "cli:tech", CancellationToken.None);

            Assert.Contains(cleared, t => t.Id == "manual" && t.To == "none");
            Assert.Equal("none", pipeline.StationLevel);
            Assert.Contains(recorder.Events, e => e.Type == StationEventTypes.OperatorAction && e.Source == "manual");
            await Assert.ThrowsAsync<ArgumentException>(() => pipeline.ClearAsync("no-such-rule", "cli:tech", CancellationToken.None));
        });

    [Fact]
    public Task ClearAsync_RuleOnFaultySensor_RefusedUnlessForcedAndForcedTransitionsMarked() =>
        WithManualAlarmAsync(double.NaN, Quality.CommFault, TimeSpan.FromSeconds(1), async (pipeline, recorder) =>
        {
            await Assert.ThrowsAsync<ForceRequiredException>(() => pipeline.ClearAsync("manual", "hub:x", CancellationToken.None));
            await Assert.ThrowsAsync<ForceRequiredException>(() => pipeline.ClearAsync(null, "hub:x", CancellationToken.None));
            Assert.NotEqual("none", pipeline.StationLevel);

            var forced = await pipeline.ClearAsync("manual", "cli:tech", CancellationToken.None, force: true);

            Assert.Contains(forced, t => t.Scope == TransitionScope.Station && t.To == "none");
            Assert.All(forced, t => Assert.True(t.Forced));
            Assert.Equal("none", pipeline.StationLevel);
            Assert.Contains(recorder.Transitions, t => t.Forced && t.Scope == TransitionScope.Station && t.To == "none");
        });

    // The latched manual alarm raised, then the button's next reading and a wait; then act on the running pipeline.
    private async Task WithManualAlarmAsync(double next, Quality quality, TimeSpan wait, Func<StationPipeline, Recorder, Task> act)
    {
        var (pipeline, recorder, store) = Create();
        using var _ = store;
        await pipeline.StartAsync(CancellationToken.None);
        try
        {
            pipeline.Publish(new Reading("alarm-button", _time.GetUtcNow(), 1, Quality.Good));
            await recorder.WaitForCount(2, Wait);
            _time.Advance(TimeSpan.FromSeconds(1));
            pipeline.Publish(new Reading("alarm-button", _time.GetUtcNow(), next, quality));
            _time.Advance(wait);
            await act(pipeline, recorder);
        }
        finally
        {
            await pipeline.StopAsync(CancellationToken.None);
        }
    }

    private sealed class Recorder : IAlertObserver, IReadingObserver, IEventObserver, IDisposable
    {
        private readonly SemaphoreSlim _signal = new(0);

        public ConcurrentQueue<LevelTransition> Transitions { get; } = new();

        public ConcurrentQueue<StationEvent> Events { get; } = new();

        public TaskCompletionSource ReadingSeen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnTransitions(IReadOnlyList<LevelTransition> transitions)
        {
            foreach (var t in transitions)
            {
                Transitions.Enqueue(t);
            }

            _signal.Release();
        }

        public void OnReadings(IReadOnlyList<Reading> readings) => ReadingSeen.TrySetResult();

        public void OnEvent(StationEvent stationEvent) => Events.Enqueue(stationEvent);

        public void Dispose() => _signal.Dispose();

        public Task<bool> WaitForTransitionsOrTimeout(TimeSpan timeout) => _signal.WaitAsync(timeout);

        public async Task WaitForCount(int count, TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            while (Transitions.Count < count)
            {
                await _signal.WaitAsync(cts.Token);
            }
        }
    }
}
