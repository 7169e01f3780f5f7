using System.Collections.Concurrent;
using EdgeGateway.Configuration;
using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Readings;
using EdgeGateway.Core.Rules;
using EdgeGateway.Hosting.Pipeline;
using EdgeGateway.State;
using EdgeGateway.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Hosting.Pipeline;

/// <summary>A reloaded <c>alerting</c> section through the running pipeline: alarms survive, new thresholds bite.</summary>
public sealed class RulesConfigApplierTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 7, 1, 3, 0, 0, TimeSpan.Zero));
    private readonly StationConfig _config = ExampleConfig.Valid();
    private readonly Recorder _recorder = new();
    private readonly SqliteAlertStateStore _store;
    private readonly StationPipeline _pipeline;
    private readonly RulesConfigApplier _applier;

    public RulesConfigApplierTests()
    {
        var levels = LevelMapping.Levels(_config);
        _store = new SqliteAlertStateStore(_dir.File("alert-state.db"));
        _pipeline = new StationPipeline(new RuleEngine(levels, RuleMapping.Rules(_config, levels), _time), _store,
            [_recorder], [], [], _time, NullLogger<StationPipeline>.Instance);
        _applier = new RulesConfigApplier(_pipeline, history: null);
    }

    public void Dispose()
    {
        _recorder.Dispose();
        _store.Dispose();
        _dir.Dispose();
    }

    private static StationConfig Edited(string from, string to) => ExampleConfig.Valid((from, to));

    private async Task RunAsync(Func<Task> test)
    {
        await _pipeline.StartAsync(CancellationToken.None);
        try
        {
            await _pipeline.Ready.WaitAsync(Wait);
            await test();
        }
        finally
        {
            await _pipeline.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public Task ApplyAsync_AnotherRulesThresholdChanged_ActiveAlarmKeepsItsLevelWithNoTransition() => RunAsync(async () =>
    {
        _pipeline.Publish(new Reading("flood-switch", _time.GetUtcNow(), 1, Quality.Good));
        await _recorder.WaitForCount(2, Wait);   // rule flood-switch and station: none -> evacuate

        await _applier.ApplyAsync(_config, Edited("above: { watch: 2.8, prepare: 3.2, evacuate: 3.8 }", "above: { watch: 2.5, prepare: 3.0, evacuate: 3.6 }"), CancellationToken.None);

        // Observers are told on the rule loop before the apply completes: nothing more came, so nothing re-broadcasts.
        Assert.Equal(2, _recorder.Transitions.Count);
        Assert.Equal("evacuate", _pipeline.StationLevel);
        Assert.Equal("evacuate", _pipeline.Engine.RuleLevels["flood-switch"]);
        var river = _pipeline.Engine.GetRuleStatuses().Single(r => r.RuleId == "river");
        Assert.Equal("none", river.Level);

        // The new river threshold is in force: 2.6 m reaches the new watch (2.5) after the 30 s hold.
        _pipeline.Publish(new Reading("river-level", _time.GetUtcNow(), 2.6, Quality.Good));
        await _pipeline.ClearAsync("river", "test", CancellationToken.None); // a barrier on the rule loop (river is at none: no-op)
        _time.Advance(TimeSpan.FromSeconds(31));
        await _recorder.WaitForCount(3, Wait);
        Assert.Contains(_recorder.Transitions, t => t.Id == "river" && t.To == "watch");
        Assert.DoesNotContain(_recorder.Transitions, t => t.Scope == TransitionScope.Station && t.To != "evacuate");
    });

    [Fact]
    public Task ApplyAsync_ThresholdLoweredBelowTheMeasure_RaisesTheLevelOnce() => RunAsync(async () =>
    {
        _pipeline.Publish(new Reading("rain-gauge", _time.GetUtcNow(), 25, Quality.Good));
        await _recorder.WaitForCount(2, Wait);   // rain-1h watch (20), station watch
        Assert.Equal("watch", _pipeline.StationLevel);

        await _applier.ApplyAsync(_config, Edited("above: { watch: 20, prepare: 30, evacuate: 50 }", "above: { watch: 20, prepare: 24, evacuate: 50 }"), CancellationToken.None);

        var after = _recorder.Transitions.Skip(2).Select(t => $"{t.Scope} {t.Id} {t.From}->{t.To}").ToList();
        Assert.Equal(["Rule rain-1h watch->prepare", "Station station watch->prepare"], after);
        Assert.Equal("prepare", _store.Load()!.Rules.Single(r => r.RuleId == "rain-1h").Level);

        // Once: more time and another reading change nothing.
        _time.Advance(TimeSpan.FromSeconds(5));
        _pipeline.Publish(new Reading("rain-gauge", _time.GetUtcNow(), 0.5, Quality.Good));
        await _pipeline.ClearAsync("river", "test", CancellationToken.None);
        Assert.Equal(4, _recorder.Transitions.Count);
    });

    [Fact]
    public Task ApplyAsync_RuleHoldingTheStationRemoved_StationStepsDownAndStateSavedBeforeObserversHear() => RunAsync(async () =>
    {
        _pipeline.Publish(new Reading("flood-switch", _time.GetUtcNow(), 1, Quality.Good));
        await _recorder.WaitForCount(2, Wait);
        _recorder.Store = _store;

        var text = ExampleConfig.Text;
        var start = text.IndexOf("    - id: flood-switch\n      sensor: flood-switch", StringComparison.Ordinal);
        var end = text.IndexOf("    - id: manual", start, StringComparison.Ordinal);
        Assert.True(start > 0 && end > start);
        await _applier.ApplyAsync(_config, ExampleConfig.Valid((text[start..end], "")), CancellationToken.None);

        var last = _recorder.Transitions.Last();
        Assert.Equal((TransitionScope.Station, "evacuate", "none"), (last.Scope, last.From, last.To));
        Assert.Equal(3, _recorder.Transitions.Count);
        Assert.Equal(["none"], _recorder.StationLevelsSavedWhenTold);
        Assert.False(_pipeline.Engine.HasRule("flood-switch"));
        await Assert.ThrowsAsync<ArgumentException>(() => _pipeline.ClearAsync("flood-switch", "test", CancellationToken.None));
    });

    [Fact]
    public Task ApplyAsync_LevelListChanged_RefusedWithTheReasonAndTheRulesInForceStay() => RunAsync(async () =>
    {
        _pipeline.Publish(new Reading("rain-gauge", _time.GetUtcNow(), 25, Quality.Good));
        await _recorder.WaitForCount(2, Wait);
        var changed = Edited(
            "    - { id: evacuate, severity: Extreme, broadcast: { message: evacuate, repeat: 5 } }\n",
            "    - { id: evacuate, severity: Extreme, broadcast: { message: evacuate, repeat: 5 } }\n    - { id: leave, severity: Extreme }\n");

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => _applier.ApplyAsync(_config, changed, CancellationToken.None));

        Assert.Contains("alerting.levels", refused.Message, StringComparison.Ordinal);
        Assert.Contains("next restart", refused.Message, StringComparison.Ordinal);
        Assert.Equal("watch", _pipeline.StationLevel);
        Assert.Equal(_config.Alerting.Rules.Select(r => r.Id), _pipeline.Engine.RuleLevels.Keys);
    });

    private sealed class Recorder : IAlertObserver, IDisposable
    {
        private readonly SemaphoreSlim _signal = new(0);

        public ConcurrentQueue<LevelTransition> Transitions { get; } = new();

        /// <summary>When set: the station level the saved alert state held each time observers were told.</summary>
        public SqliteAlertStateStore? Store { get; set; }

        public List<string> StationLevelsSavedWhenTold { get; } = [];

        public void OnTransitions(IReadOnlyList<LevelTransition> transitions)
        {
            if (Store?.Load() is { } saved)
            {
                StationLevelsSavedWhenTold.Add(saved.Rules.Select(r => r.Level).Contains("evacuate") ? "evacuate" : "none");
            }

            foreach (var t in transitions)
            {
                Transitions.Enqueue(t);
            }

            _signal.Release();
        }

        public void Dispose() => _signal.Dispose();

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
