using EdgeGateway.Configuration;
using EdgeGateway.Core.Alerting;
using EdgeGateway.Core.Events;
using EdgeGateway.Core.Monitoring;
using EdgeGateway.Hosting.Pipeline;
using EdgeGateway.Uplink.Record;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Hosting.Events;

public static class StandaloneRecordExtensions
{
    /// <summary>
    /// Adds the station's own record for a station without an MQTT uplink (which otherwise records what it
    /// uplinks): the pipeline's transitions and events go to <see cref="StandaloneRecord"/>. Call only then, or
    /// every entry is recorded twice. <paramref name="levels"/>: the station's levels built once at start; null: built
    /// from <paramref name="config"/>.
    /// </summary>
    public static IServiceCollection AddStandaloneRecord(this IServiceCollection services, StationConfig config, AlertLevels? levels = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new StandaloneRecord(
            config.Station.Id,
            levels ?? LevelMapping.Levels(config),
            config.Storage.Path,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<StandaloneRecord>>(),
            sp.GetService<StorageHealth>()));
        services.AddSingleton(sp => new StandaloneRecordBridge(sp.GetRequiredService<StandaloneRecord>()));
        services.AddSingleton<IAlertObserver>(sp => sp.GetRequiredService<StandaloneRecordBridge>());
        services.AddSingleton<IEventObserver>(sp => sp.GetRequiredService<StandaloneRecordBridge>());
        return services;
    }
}

/// <summary>Hands the pipeline's transitions and events to the record of a station without an MQTT uplink.</summary>
public sealed class StandaloneRecordBridge(StandaloneRecord record) : IAlertObserver, IEventObserver
{
    public void OnTransitions(IReadOnlyList<LevelTransition> transitions)
    {
        ArgumentNullException.ThrowIfNull(transitions);
        foreach (var t in transitions)
        {
            record.Add(t);
        }
    }

    public void OnEvent(StationEvent stationEvent) => record.Add(stationEvent);
}
