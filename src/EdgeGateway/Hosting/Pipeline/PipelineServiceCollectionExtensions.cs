using EdgeGateway.Acquisition.History;
using EdgeGateway.Configuration;
using EdgeGateway.Core.Events;
using EdgeGateway.Core.Readings;
using EdgeGateway.Core.Rules;
using EdgeGateway.Hosting.Reload;
using EdgeGateway.Hosting.Watchdog;
using EdgeGateway.State;
using EdgeGateway.Uplink;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Hosting.Pipeline;

public static class PipelineServiceCollectionExtensions
{
    /// <summary>
    /// Adds the rule engine built from <c>alerting</c>, its state store in <c>storage.path</c>, and the
    /// <see cref="StationPipeline"/> as the station's <see cref="IReadingSink"/> and <see cref="IStationEventSink"/>.
    /// When an <see cref="IUplink"/> is registered, readings, alerts and events also go to the hub.
    /// A reloaded <c>alerting</c> section is applied live (<see cref="RulesConfigApplier"/>). <paramref name="levels"/>:
    /// the station's levels built once at start (<see cref="LevelMapping.Levels"/>); null: built from <paramref name="config"/>.
    /// </summary>
    public static IServiceCollection AddStationPipeline(this IServiceCollection services, StationConfig config, Core.Alerting.AlertLevels? levels = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        levels ??= LevelMapping.Levels(config);
        var rules = RuleMapping.Rules(config, levels);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new RuleEngine(levels, rules, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IAlertStateStore>(_ => new SqliteAlertStateStore(Path.Combine(config.Storage.Path, SqliteAlertStateStore.DefaultFileName)));
        services.AddSingleton(sp =>
        {
            var uplink = sp.GetService<IUplink>();
            var bridge = uplink is null ? null : new UplinkBridge(uplink);
            var history = sp.GetService<ReadingHistory>();
            var window = HistoryWindow(rules);
            return new StationPipeline(
                sp.GetRequiredService<RuleEngine>(),
                sp.GetRequiredService<IAlertStateStore>(),
                [.. sp.GetServices<Core.Alerting.IAlertObserver>(), .. Maybe<Core.Alerting.IAlertObserver>(bridge)],
                [.. sp.GetServices<IReadingObserver>(), .. Maybe<IReadingObserver>(bridge)],
                [.. sp.GetServices<IEventObserver>(), .. Maybe<IEventObserver>(bridge)],
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<StationPipeline>>(),
                history is null ? null : () => history.LoadRecent(window),
                sp.GetService<ProgressMonitor>(),
                sp.GetService<Core.Alerting.IWarningObligations>())
            {
                Storage = sp.GetService<Core.Monitoring.StorageHealth>(),
            };
        });
        services.AddSingleton<IReadingSink>(sp => sp.GetRequiredService<StationPipeline>());
        services.AddSingleton<IStationEventSink>(sp => sp.GetRequiredService<StationPipeline>());
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<StationPipeline>());
        services.AddSingleton<IConfigApplier>(sp => new RulesConfigApplier(sp.GetRequiredService<StationPipeline>(), sp.GetService<ReadingHistory>()));
        return services;
    }

    /// <summary>How much history rebuilds the windows: the longest window, and at least a day of rain.</summary>
    public static TimeSpan HistoryWindow(IEnumerable<RuleDefinition> rules) =>
        rules.Select(r => r.Measure.Window).Append(TimeSpan.FromDays(1)).Max();

    private static IEnumerable<T> Maybe<T>(T? item)
        where T : class => item is null ? [] : [item];
}
